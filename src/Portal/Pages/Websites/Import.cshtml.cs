using System.Text.Json;
using Catalyst.Data;
using Catalyst.Data.Backups;
using Catalyst.Data.Common;
using Catalyst.Data.Jobs;
using Catalyst.Data.Storage;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Websites;

/// <summary>
/// Import a website backup: the file is stored, then a job validates it (dry run) and reports
/// what it found; "Import now" on that report starts the real import with the same file.
/// Large files are buffered to disk by the form reader, never held in memory.
/// </summary>
[RequestSizeLimit(5L << 30)]
[RequestFormLimits(MultipartBodyLengthLimit = 5L << 30)]
public class ImportModel(ContentStore content, JobRunService jobs, CatalystDbContext db) : PageModel
{
    [BindProperty]
    public IFormFile? Backup { get; set; }

    [BindProperty]
    public string OnDuplicate { get; set; } = "copy";

    [BindProperty]
    public bool ValidateFirst { get; set; } = true;

    public void OnGet() => ViewData["Section"] = "Websites";

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        ViewData["Section"] = "Websites";
        if (Backup is null || Backup.Length == 0)
            ModelState.AddModelError(nameof(Backup), "Choose a backup file (.json or .json.gz).");
        if (!Enum.TryParse<DuplicatePolicy>(OnDuplicate, ignoreCase: true, out var policy))
            ModelState.AddModelError(nameof(OnDuplicate), "Choose what to do with a duplicate.");
        if (!ModelState.IsValid)
            return Page();

        await using var upload = Backup!.OpenReadStream();
        var blob = await content.WriteAsync(upload, ct);
        JobRun run;
        try
        {
            run = await StartAsync(new WebsiteImportInput(blob.Sha256, policy.ToString().ToLowerInvariant(), ValidateFirst, Backup.FileName), ct);
        }
        catch (QuotaExceededException quota)
        {
            ModelState.AddModelError(nameof(Backup), quota.Message);
            return Page();
        }
        TempData["Flash"] = ValidateFirst ? "The backup is being checked; nothing is imported until you confirm." : "The import has started.";
        return RedirectToPage("/Jobs/Details", new { id = run.Id });
    }

    /// <summary>From a finished dry run: import the same file for real.</summary>
    public async Task<IActionResult> OnPostConfirmAsync(Guid id, CancellationToken ct)
    {
        var dryRun = await jobs.GetAsync(User.ToActor(), id, ct);
        if (dryRun.Kind != WebsiteImportJob.Kind || dryRun.Status != JobRunStatus.Succeeded || dryRun.Input is null)
            return NotFound();
        var input = JsonSerializer.Deserialize<WebsiteImportInput>(dryRun.Input, JsonSerializerOptions.Web)!;
        if (!input.DryRun)
            return NotFound();
        if (!await content.ExistsAsync(input.BlobSha256, ct))
        {
            TempData["Flash"] = "The checked file is no longer kept (it is released when the check finishes); choose it again to import it.";
            return RedirectToPage("Import");
        }
        JobRun run;
        try
        {
            run = await StartAsync(input with { DryRun = false }, ct);
        }
        catch (QuotaExceededException quota)
        {
            TempData["Flash"] = quota.Message;
            return RedirectToPage("/Jobs/Details", new { id });
        }
        TempData["Flash"] = "The import has started.";
        return RedirectToPage("/Jobs/Details", new { id = run.Id });
    }

    private Task<JobRun> StartAsync(WebsiteImportInput input, CancellationToken ct) =>
        jobs.StartAsync(User.ToActor(), WebsiteImportJob.Kind, input, ct, async runId =>
        {
            await content.AddReferenceAsync(input.BlobSha256, BlobOwnerTypes.JobInput, runId.ToString(), User.ToActor().UserId, ct);
            await db.SaveChangesAsync(ct);
        });
}
