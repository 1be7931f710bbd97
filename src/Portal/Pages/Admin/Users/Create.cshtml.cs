using System.ComponentModel.DataAnnotations;
using Catalyst.Data.Common;
using Catalyst.Data.Identity;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Admin.Users;

public class CreateModel(UserAdminService users) : PageModel
{
    [BindProperty]
    public CreateUserInput Input { get; set; } = new();

    public sealed class CreateUserInput
    {
        [Required(ErrorMessage = "E-mail is required."), EmailAddress(ErrorMessage = "Enter an e-mail address."), StringLength(256)]
        public string Email { get; set; } = "";

        [Required(ErrorMessage = "Password is required."), StringLength(256, MinimumLength = 8, ErrorMessage = "At least 8 characters.")]
        public string Password { get; set; } = "";

        public bool Admin { get; set; }
    }

    public void OnGet() => ViewData["Section"] = "Admin";

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        ViewData["Section"] = "Admin";
        if (!ModelState.IsValid)
            return Page();
        try
        {
            var roles = Input.Admin ? new[] { Roles.User, Roles.Admin } : [Roles.User];
            var user = await users.CreateAsync(User.ToActor(), Input.Email, Input.Password, roles, ct);
            TempData["Flash"] = $"User {user.Email} was created.";
            return RedirectToPage("Index");
        }
        catch (ValidationFailedException ex)
        {
            ModelState.AddDomainErrors(ex);
        }
        catch (ConflictException ex)
        {
            ModelState.AddModelError("Input.Email", ex.Message);
        }
        return Page();
    }
}
