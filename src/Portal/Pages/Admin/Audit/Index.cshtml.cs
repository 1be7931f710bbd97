using Catalyst.Data.Audit;
using Catalyst.Data.Common;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Admin.Audit;

public class IndexModel(AuditLog audit) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "entity")]
    public string? Entity { get; set; }

    [BindProperty(SupportsGet = true, Name = "user")]
    public string? UserFilter { get; set; }

    // "page" is also the route value naming the Razor Page, which model binding prefers over the
    // query string; read the page number from the query explicitly.
    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public Page<AuditEntry> Entries { get; private set; } = null!;

    public string ListUrl => $"/Admin/Audit?entity={Uri.EscapeDataString(Entity ?? "")}&user={Uri.EscapeDataString(UserFilter ?? "")}";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        ViewData["Section"] = "Admin";
        Entries = await audit.ListAsync(new AuditQuery(Entity, UserFilter), new PageRequest(Math.Max(1, PageNumber), 50), ct);
        return Request.IsHtmx() ? Partial("_List", this) : Page();
    }
}
