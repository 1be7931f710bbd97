using System.Text.Json;
using Catalyst.Data;
using Catalyst.Data.Common;
using Catalyst.Data.Jobs;
using Catalyst.Data.LegacyImport;
using Catalyst.Portal.Infrastructure;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Portal.Pages.LegacyImport;

/// <summary>One migration: its report as tables, the progress of its running job, and apply / verify / roll back / download.</summary>
public class DetailsModel(LegacyImportService migrations, JobRunService jobs, CatalystDbContext db) : PageModel
{
    public LegacyImportMigration Migration { get; private set; } = null!;
    public LegacyReport Report { get; private set; } = null!;
    public IReadOnlyList<LegacyInputFile> Files { get; private set; } = [];
    /// <summary>The latest job of this migration (run, verify or roll back).</summary>
    public JobRun? Job { get; private set; }

    public bool Busy => Job is { IsFinished: false };

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        await LoadAsync(id, ct);
        return Request.IsHtmx() ? Partial("_Migration", this) : Page();
    }

    /// <summary>The report as JSON, the same document as <c>GET /api/migrations/{id}</c> answers in <c>data</c>.</summary>
    public async Task<IActionResult> OnGetReportAsync(Guid id, CancellationToken ct)
    {
        var migration = await migrations.GetAsync(User.ToActor(), id, ct);
        var json = JsonSerializer.SerializeToUtf8Bytes(LegacyImportService.ReportOf(migration), new JsonSerializerOptions(JsonSerializerOptions.Web) { WriteIndented = true });
        return File(json, "application/json", $"legacy-migration-{id:N}.json");
    }

    /// <summary>From a dry run: apply the same files as a new migration.</summary>
    public async Task<IActionResult> OnPostApplyAsync(Guid id, CancellationToken ct)
    {
        var actor = User.ToActor();
        var dryRun = await migrations.GetAsync(actor, id, ct);
        if (!dryRun.DryRun || dryRun.Status != LegacyImportStatus.DryRun)
            return Flash(id, "Only a finished dry run can be applied from here.");
        var files = JsonSerializer.Deserialize<List<LegacyInputFile>>(dryRun.Files, JsonSerializerOptions.Web)!;
        var migration = await migrations.CreateAsync(actor, dryRun.OwnerId, files, dryRun: false, ct);
        await jobs.StartAsync(actor, LegacyImportJob.Kind, new LegacyImportJobInput(migration.Id), ct);
        TempData["Flash"] = "The migration has started.";
        return RedirectToPage("Details", new { id = migration.Id });
    }

    public Task<IActionResult> OnPostVerifyAsync(Guid id, CancellationToken ct) => StartAsync(id, LegacyImportVerificationJob.Kind, "Verification has started.", ct);

    public Task<IActionResult> OnPostRollbackAsync(Guid id, CancellationToken ct) => StartAsync(id, LegacyImportRollbackJob.Kind, "Rollback has started.", ct);

    private async Task<IActionResult> StartAsync(Guid id, string kind, string message, CancellationToken ct)
    {
        var migration = await migrations.GetAsync(User.ToActor(), id, ct);
        if (migration.DryRun || migration.Status is LegacyImportStatus.RolledBack or LegacyImportStatus.Pending or LegacyImportStatus.Applying)
            return Flash(id, "Not possible for this migration now.");
        await jobs.StartAsync(User.ToActor(), kind, new LegacyImportJobInput(id), ct);
        return Flash(id, message);
    }

    private RedirectToPageResult Flash(Guid id, string message)
    {
        TempData["Flash"] = message;
        return RedirectToPage("Details", new { id });
    }

    private async Task LoadAsync(Guid id, CancellationToken ct)
    {
        ViewData["Section"] = "LegacyImport";
        Migration = await migrations.GetAsync(User.ToActor(), id, ct);
        Report = LegacyImportService.ReportOf(Migration);
        Files = JsonSerializer.Deserialize<List<LegacyInputFile>>(Migration.Files, JsonSerializerOptions.Web)!;
        var input = JsonSerializer.Serialize(new LegacyImportJobInput(id), JsonSerializerOptions.Web);
        Job = await db.JobRuns.AsNoTracking().Where(r => r.Input == input).OrderByDescending(r => r.CreatedAt).FirstOrDefaultAsync(ct);
    }
}
