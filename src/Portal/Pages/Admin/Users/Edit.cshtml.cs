using Catalyst.Data.Common;
using Catalyst.Data.Identity;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Admin.Users;

public class EditModel(UserAdminService users) : PageModel
{
    public UserSummary UserSummary { get; private set; } = null!;

    [BindProperty]
    public bool Admin { get; set; }

    [BindProperty]
    public bool Disabled { get; set; }

    public async Task OnGetAsync(Guid id, CancellationToken ct)
    {
        ViewData["Section"] = "Admin";
        UserSummary = await users.GetAsync(id, ct);
        Admin = UserSummary.Roles.Contains(Roles.Admin);
        Disabled = UserSummary.Disabled;
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken ct)
    {
        ViewData["Section"] = "Admin";
        try
        {
            var roles = Admin ? new List<string> { Roles.User, Roles.Admin } : [Roles.User];
            var saved = await users.UpdateAsync(User.ToActor(), id, roles, Disabled, ct);
            TempData["Flash"] = $"User {saved.Email} was updated.";
            return RedirectToPage("Index");
        }
        catch (ConflictException ex)
        {
            ModelState.AddModelError("", ex.Message);
            UserSummary = await users.GetAsync(id, ct);
            return Page();
        }
    }
}
