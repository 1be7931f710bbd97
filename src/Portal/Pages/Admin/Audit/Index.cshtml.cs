using Catalyst.Data.Audit;
using Catalyst.Data.Common;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Admin.Audit;

/// <summary>The audit log with filters (entity, user, action, time range) and paging; htmx swaps the list as the filters change.</summary>
public class IndexModel(AuditLog audit) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "entity")]
    public string? Entity { get; set; }

    [BindProperty(SupportsGet = true, Name = "user")]
    public string? UserFilter { get; set; }

    [BindProperty(SupportsGet = true, Name = "action")]
    public string? ActionFilter { get; set; }

    /// <summary>UTC, from the page's datetime-local inputs.</summary>
    [BindProperty(SupportsGet = true, Name = "from")]
    public DateTime? From { get; set; }

    [BindProperty(SupportsGet = true, Name = "to")]
    public DateTime? To { get; set; }

    // "page" is also the route value naming the Razor Page, which model binding prefers over the
    // query string; read the page number from the query explicitly.
    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public Page<AuditEntry> Entries { get; private set; } = null!;
    public IReadOnlyList<string> EntityTypes { get; private set; } = [];

    public static readonly IReadOnlyList<string> ActionGroups =
        ["user.", "signin.", "token.", "secret.", "mcp.", "deployment", "feature.", "job.", "project.", "website."];

    public string ListUrl => $"/Admin/Audit?entity={Uri.EscapeDataString(Entity ?? "")}&user={Uri.EscapeDataString(UserFilter ?? "")}" +
        $"&action={Uri.EscapeDataString(ActionFilter ?? "")}&from={Local(From)}&to={Local(To)}";

    public static string Local(DateTime? at) => at?.ToString("yyyy-MM-ddTHH:mm") ?? "";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        ViewData["Section"] = "Admin";
        var from = From is { } f ? DateTime.SpecifyKind(f, DateTimeKind.Utc) : (DateTime?)null;
        var to = To is { } t ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : (DateTime?)null;
        Entries = await audit.ListAsync(new AuditQuery(Entity, UserFilter, from, to, ActionFilter), new PageRequest(Math.Max(1, PageNumber), 50), ct);
        if (Request.IsHtmx())
            return Partial("_List", this);
        EntityTypes = await audit.EntityTypesAsync(ct);
        return Page();
    }
}
