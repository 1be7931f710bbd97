using Catalyst.Data.Common;
using Catalyst.Data.Mcp;
using Catalyst.Portal.Infrastructure;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Admin.Mcp;

/// <summary>MCP servers for admins: filters (search, status, transport, show deleted) swapped by htmx, and the row actions.</summary>
public class IndexModel(McpServerService servers) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Search { get; set; }

    [BindProperty(SupportsGet = true, Name = "status")]
    public McpServerStatus? Status { get; set; }

    [BindProperty(SupportsGet = true, Name = "transport")]
    public McpTransport? Transport { get; set; }

    [BindProperty(SupportsGet = true, Name = "deleted")]
    public bool ShowDeleted { get; set; }

    // "page" is also the route value naming the Razor Page; read the page number from the query.
    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public Page<McpServerDetails> Servers { get; private set; } = null!;

    public string ListUrl => $"/Admin/Mcp?q={Uri.EscapeDataString(Search ?? "")}&status={Status}&transport={Transport}&deleted={(ShowDeleted ? "true" : "false")}";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        ViewData["Section"] = "Admin";
        Servers = await servers.ListAsync(User.ToActor(), new McpServerQuery(Search, Status, Transport, ShowDeleted), new PageRequest(Math.Max(1, PageNumber), 20), ct);
        return Request.IsHtmx() ? Partial("_List", this) : Page();
    }

    public async Task<IActionResult> OnPostStatusAsync(Guid id, McpServerStatus status, CancellationToken ct)
    {
        var saved = await servers.UpdateAsync(User.ToActor(), id, null, new McpServerInput(null, null, null, null, null, status), null, ct);
        TempData["Flash"] = $"“{saved.Server.Name}” is now {status.ToString().ToLowerInvariant()}.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, CancellationToken ct)
    {
        var server = await servers.GetAsync(User.ToActor(), id, ct);
        await servers.DeleteAsync(User.ToActor(), id, null, ct);
        TempData["Flash"] = $"“{server.Server.Name}” was deleted. It can be restored from “Show deleted”.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRestoreAsync(Guid id, CancellationToken ct)
    {
        try
        {
            var restored = await servers.RestoreAsync(User.ToActor(), id, ct);
            TempData["Flash"] = $"“{restored.Server.Name}” was restored.";
        }
        catch (ConflictException ex)
        {
            TempData["Flash"] = ex.Code == "name_taken"
                ? "It cannot be restored: a live MCP server has its name now. Rename or delete that one first."
                : ex.Message;
        }
        return RedirectToPage(new { deleted = true });
    }
}
