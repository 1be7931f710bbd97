using Catalyst.Data.Common;
using Catalyst.Data.Tokens;
using Catalyst.Portal.Infrastructure;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Admin.Tokens;

/// <summary>Every user's API tokens, for admins: who holds what, when it was last used, and revoke any.</summary>
public class IndexModel(ApiTokenService tokens, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "owner")]
    public string? Owner { get; set; }

    [BindProperty(SupportsGet = true, Name = "all")]
    public bool IncludeInactive { get; set; }

    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public Page<ApiTokenOverview> Tokens { get; private set; } = null!;
    public DateTime Now => time.GetUtcNow().UtcDateTime;

    public string ListUrl => $"/Admin/Tokens?owner={Uri.EscapeDataString(Owner ?? "")}&all={(IncludeInactive ? "true" : "false")}";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        ViewData["Section"] = "Admin";
        Tokens = await tokens.ListAllAsync(User.ToActor(), !IncludeInactive, Owner, new PageRequest(Math.Max(1, PageNumber), 25), ct);
        return Request.IsHtmx() ? Partial("_List", this) : Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid id, CancellationToken ct)
    {
        await tokens.RevokeAsync(User.ToActor(), id, ct);
        TempData["Flash"] = "The token was revoked.";
        return RedirectToPage(new { owner = Owner, all = IncludeInactive });
    }
}
