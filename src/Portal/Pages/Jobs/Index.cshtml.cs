using Catalyst.Data.Projects;
using Catalyst.Data.Common;
using Catalyst.Data.Jobs;
using Catalyst.Portal.Infrastructure;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Jobs;

public class IndexModel(JobRunService jobs) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "status")]
    public JobRunStatus? Status { get; set; }

    // "page" is also the route value naming the Razor Page, which model binding prefers over the
    // query string; read the page number from the query explicitly.
    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public Page<JobRun> Runs { get; private set; } = null!;

    public bool AnyActive => Runs.Items.Any(r => !r.IsFinished);

    public string ListUrl => "/Jobs" + (Status is { } s ? $"?status={s}" : "");

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        ViewData["Section"] = "Jobs";
        Runs = await jobs.ListAsync(User.ToActor(), new JobRunQuery(Status: Status), new PageRequest(Math.Max(1, PageNumber), 20), ct);
        return Request.IsHtmx() ? Partial("_List", this) : Page();
    }

    public async Task<IActionResult> OnPostRecomputeStatisticsAsync(CancellationToken ct)
    {
        var actor = User.ToActor();
        var run = await jobs.StartAsync(actor, RecomputeProjectStatisticsJob.Kind, new { ownerId = actor.IsAdmin ? (Guid?)null : actor.UserId }, ct);
        TempData["Flash"] = "Project statistics are being recomputed.";
        return RedirectToPage("Details", new { id = run.Id });
    }
}
