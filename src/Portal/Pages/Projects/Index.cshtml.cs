using Catalyst.Data.Common;
using Catalyst.Data.Projects;
using Catalyst.Portal.Infrastructure;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Projects;

public class IndexModel(ProjectService projects) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Search { get; set; }

    [BindProperty(SupportsGet = true, Name = "status")]
    public ProjectStatus? Status { get; set; }

    // "page" is also the route value naming the Razor Page, which model binding prefers over the
    // query string; read the page number from the query explicitly.
    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public Page<Project> Projects { get; private set; } = null!;

    public string ListUrl => QueryUrl(Search, Status);

    /// <summary>
    /// Where a row's Archive or Restore form posts, keeping the list's search, filter and page to come back to.
    /// Built here because a form's <c>asp-route-page</c> would replace the route value naming this Razor Page
    /// and leave the form without an action.
    /// </summary>
    public string StatusActionUrl(Project project)
    {
        var handler = project.Status == ProjectStatus.Active ? "Archive" : "Restore";
        var url = Url.Page("/Projects/Index", handler, new { id = project.Id, version = project.Version, q = Search, status = Status })!;
        return PageNumber > 1 ? $"{url}&page={PageNumber}" : url;
    }

    /// <summary>Full page, or just the list when htmx asks (search-as-you-type, paging).</summary>
    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        ViewData["Section"] = "Projects";
        Projects = await projects.ListAsync(User.ToActor(), new ProjectQuery(Search, Status), new PageRequest(Math.Max(1, PageNumber), 20), ct);
        return Request.IsHtmx() ? Partial("_List", this) : Page();
    }

    public async Task<IActionResult> OnPostArchiveAsync(Guid id, long version, CancellationToken ct) =>
        await SetStatusAsync(id, version, ProjectStatus.Archived, "archived", ct);

    public async Task<IActionResult> OnPostRestoreAsync(Guid id, long version, CancellationToken ct) =>
        await SetStatusAsync(id, version, ProjectStatus.Active, "restored", ct);

    private async Task<IActionResult> SetStatusAsync(Guid id, long version, ProjectStatus status, string verb, CancellationToken ct)
    {
        try
        {
            var project = await projects.SetStatusAsync(User.ToActor(), id, version, status, ct);
            TempData["Flash"] = $"“{project.Name}” was {verb}.";
        }
        catch (VersionConflictException)
        {
            TempData["Flash"] = "That project was changed by someone else meanwhile; nothing was changed. Try again.";
        }
        return Redirect(QueryUrl(Search, Status) + (PageNumber > 1 ? $"&page={PageNumber}" : ""));
    }

    private static string QueryUrl(string? search, ProjectStatus? status) =>
        $"/Projects?q={Uri.EscapeDataString(search ?? "")}" + (status is { } s ? $"&status={s}" : "");
}
