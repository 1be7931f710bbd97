using Catalyst.Data.Storage;
using System.Text.Json;
using Catalyst.Data.Common;
using Catalyst.Data.Jobs;
using Catalyst.Portal.Infrastructure;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Jobs;

public class DetailsModel(JobRunService jobs) : PageModel
{
    public JobRun Run { get; private set; } = null!;

    public string? PrettyResult => Run.Result is null ? null
        : JsonSerializer.Serialize(JsonDocument.Parse(Run.Result).RootElement, new JsonSerializerOptions { WriteIndented = true });

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        ViewData["Section"] = "Jobs";
        Run = await jobs.GetAsync(User.ToActor(), id, ct);
        return Request.IsHtmx() ? Partial("_Status", this) : Page();
    }

    /// <summary>The run's result file (an export, an archive) through the portal session, with ranges.</summary>
    public async Task<IActionResult> OnGetDownloadAsync(Guid id, [FromServices] JobResultFiles files, CancellationToken ct)
    {
        var run = await jobs.GetAsync(User.ToActor(), id, ct);
        if (JobResultFiles.Of(run) is not { } file)
            return NotFound();
        var stream = await files.OpenAsync(file, ct);
        return new HttpResultAction(BlobResults.Serve(HttpContext, stream, file.MediaType, file.FileName, file.Sha256, run.FinishedAt ?? run.CreatedAt, immutable: true));
    }

    public async Task<IActionResult> OnPostCancelAsync(Guid id, CancellationToken ct) =>
        await ActAsync(() => jobs.CancelAsync(User.ToActor(), id, ct), "Cancel requested.", id);

    public async Task<IActionResult> OnPostRetryAsync(Guid id, CancellationToken ct) =>
        await ActAsync(() => jobs.RetryAsync(User.ToActor(), id, ct), "The job was queued again.", id);

    private async Task<IActionResult> ActAsync(Func<Task<JobRun>> action, string message, Guid id)
    {
        try
        {
            await action();
            TempData["Flash"] = message;
        }
        catch (ConflictException ex)
        {
            TempData["Flash"] = ex.Message;
        }
        return RedirectToPage("Details", new { id });
    }
}
