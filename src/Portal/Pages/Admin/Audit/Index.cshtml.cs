using Catalyst.Data.Audit;
using System.Globalization;
using System.Text;
using Catalyst.Data.Common;
using Catalyst.Portal.Infrastructure;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Admin.Audit;

/// <summary>
/// The audit log with filters (entity, user, action, time range) and paging; htmx swaps the list as
/// the filters change. The filtered entries export as CSV, streamed as they are read.
/// </summary>
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

    /// <summary>Why the filters select nothing (a time range that ends before it starts).</summary>
    public string? FilterError { get; private set; }

    /// <summary>The CSV of what the current filters select (every page of it).</summary>
    public string ExportUrl => ListUrl + "&handler=Export";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        ViewData["Section"] = "Admin";
        var query = Query();
        Entries = query is null
            ? new Page<AuditEntry>([], 1, 50, 0)
            : await audit.ListAsync(query, new PageRequest(Math.Max(1, PageNumber), 50), ct);
        if (Request.IsHtmx())
            return Partial("_List", this);
        EntityTypes = await audit.EntityTypesAsync(ct);
        return Page();
    }

    /// <summary>
    /// The filtered entries as CSV, newest first, written while they are read from the database.
    /// Cells a spreadsheet would run as formulas are made inert (see <see cref="CsvWriter"/>).
    /// </summary>
    public IActionResult OnGetExport()
    {
        if (Query() is not { } query)
            return Redirect(ListUrl);
        var ct = HttpContext.RequestAborted;
        var fileName = $"audit-{DateTime.UtcNow:yyyyMMdd-HHmmss}.csv";
        return new HttpResultAction(Results.Stream(async body =>
        {
            await using var text = new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 16 * 1024, leaveOpen: true);
            var csv = new CsvWriter(text);
            await csv.WriteRowAsync(["at", "actorEmail", "actorId", "action", "entityType", "entityId", "details"], ct);
            var rows = 0;
            await foreach (var e in audit.StreamAsync(query).WithCancellation(ct))
            {
                await csv.WriteRowAsync([e.At.ToString("O", CultureInfo.InvariantCulture), e.ActorEmail, e.ActorId?.ToString(), e.Action, e.EntityType, e.EntityId, e.Details], ct);
                if (++rows % 500 == 0)
                    await text.FlushAsync(ct);
            }
        }, "text/csv; charset=utf-8", fileName));
    }

    /// <summary>The filters as a query for the log, or null (and <see cref="FilterError"/>) when they cannot select anything.</summary>
    private AuditQuery? Query()
    {
        var from = From is { } f ? DateTime.SpecifyKind(f, DateTimeKind.Utc) : (DateTime?)null;
        var to = To is { } t ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : (DateTime?)null;
        if (from > to)
        {
            FilterError = "The time range ends before it starts: choose a “From” before the “To”.";
            return null;
        }
        return new AuditQuery(Entity, UserFilter, from, to, ActionFilter);
    }
}
