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

    /// <summary>This list page's URL (filter and page), where a row's action comes back to.</summary>
    public string PageUrl => ListUrl + (ListUrl.Contains('?', StringComparison.Ordinal) ? "&" : "?") + $"page={Math.Max(1, PageNumber)}";

    /// <summary>The URL a row's cancel or retry form posts to; the list it answers keeps this filter and page.</summary>
    public string ActionUrl(string handler, Guid id) => $"{PageUrl}&handler={handler}&id={id}";

    /// <summary>What the last row action did, shown above the list when htmx swapped it (without JavaScript it is the flash).</summary>
    public string? Notice { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        ViewData["Section"] = "Jobs";
        await LoadAsync(ct);
        return Request.IsHtmx() ? Partial("_List", this) : Page();
    }

    /// <summary>Cancels a run of the list (own runs; admins any), through the same service as the API.</summary>
    public Task<IActionResult> OnPostCancelAsync(Guid id, CancellationToken ct) =>
        ActAsync(() => jobs.CancelAsync(User.ToActor(), id, ct), "Cancel requested.", ct);

    /// <summary>Queues a failed or canceled run of the list again (own runs; admins any).</summary>
    public Task<IActionResult> OnPostRetryAsync(Guid id, CancellationToken ct) =>
        ActAsync(() => jobs.RetryAsync(User.ToActor(), id, ct), "The job was queued again.", ct);

    private async Task<IActionResult> ActAsync(Func<Task<JobRun>> action, string done, CancellationToken ct)
    {
        string notice;
        try
        {
            await action();
            notice = done;
        }
        catch (ConflictException ex)
        {
            notice = ex.Message;
        }
        if (!Request.IsHtmx())
        {
            TempData["Flash"] = notice;
            return Redirect(PageUrl);
        }
        Notice = notice;
        await LoadAsync(ct);
        return Partial("_List", this);
    }

    private async Task LoadAsync(CancellationToken ct) =>
        Runs = await jobs.ListAsync(User.ToActor(), new JobRunQuery(Status: Status), new PageRequest(Math.Max(1, PageNumber), 20), ct);

    public async Task<IActionResult> OnPostRecomputeStatisticsAsync(CancellationToken ct)
    {
        var actor = User.ToActor();
        var run = await jobs.StartAsync(actor, RecomputeProjectStatisticsJob.Kind, new { ownerId = actor.IsAdmin ? (Guid?)null : actor.UserId }, ct);
        TempData["Flash"] = "Project statistics are being recomputed.";
        return RedirectToPage("Details", new { id = run.Id });
    }
}
