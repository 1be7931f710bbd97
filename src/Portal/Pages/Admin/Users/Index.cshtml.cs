using Catalyst.Data.Common;
using Catalyst.Data.Identity;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Admin.Users;

public class IndexModel(UserAdminService users) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Search { get; set; }

    // "page" is also the route value naming the Razor Page, which model binding prefers over the
    // query string; read the page number from the query explicitly.
    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public Page<UserSummary> Users { get; private set; } = null!;

    public string ListUrl => $"/Admin/Users?q={Uri.EscapeDataString(Search ?? "")}";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        ViewData["Section"] = "Admin";
        Users = await users.ListAsync(Search, new PageRequest(Math.Max(1, PageNumber), 20), ct);
        return Request.IsHtmx() ? Partial("_List", this) : Page();
    }
}
