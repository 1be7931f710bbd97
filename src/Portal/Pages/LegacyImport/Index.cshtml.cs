using Catalyst.Data.Jobs;
using Catalyst.Data.LegacyImport;
using Catalyst.Data.Storage;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.LegacyImport;

/// <summary>
/// Legacy browser-storage migration (SPEC §11): upload the files the old apps exported, get the
/// dry-run report, then apply, verify or roll back from the migration's page.
/// </summary>
[RequestSizeLimit(5L << 30)]
[RequestFormLimits(MultipartBodyLengthLimit = 5L << 30)]
public class IndexModel(LegacyImportService migrations, ContentStore content, JobRunService jobs) : PageModel
{
    [BindProperty]
    public List<IFormFile> Files { get; set; } = [];

    [BindProperty]
    public string Mode { get; set; } = "dry-run";

    public IReadOnlyList<LegacyImportMigration> Recent { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var files = Files.Where(f => f.Length > 0).ToList();
        if (files.Count == 0)
            ModelState.AddModelError(nameof(Files), "Choose the exported files (.json): the Dexie exports and localStorage dumps.");
        else if (files.Count > LegacyImportService.MaxFiles)
            ModelState.AddModelError(nameof(Files), $"At most {LegacyImportService.MaxFiles} files.");
        if (Mode is not ("dry-run" or "apply"))
            ModelState.AddModelError(nameof(Mode), "Choose a dry run or apply.");
        if (!ModelState.IsValid)
        {
            await LoadAsync(ct);
            return Page();
        }
        var inputs = new List<LegacyInputFile>();
        foreach (var file in files)
        {
            await using var stream = file.OpenReadStream();
            var blob = await content.WriteAsync(stream, ct);
            inputs.Add(new LegacyInputFile(Path.GetFileName(file.FileName), blob.Sha256, blob.Length));
        }
        var actor = User.ToActor();
        LegacyImportMigration migration;
        try
        {
            migration = await migrations.CreateAsync(actor, actor.UserId, inputs, Mode == "dry-run", ct);
        }
        catch (Catalyst.Data.Common.QuotaExceededException quota)
        {
            // The files are kept for the migration's life and count against the quota (the stored bytes are garbage now).
            ModelState.AddModelError(nameof(Files), quota.Message);
            await LoadAsync(ct);
            return Page();
        }
        await jobs.StartAsync(actor, LegacyImportJob.Kind, new LegacyImportJobInput(migration.Id), ct);
        TempData["Flash"] = Mode == "dry-run" ? "The dry run has started: nothing is written until you apply." : "The migration has started.";
        return RedirectToPage("Details", new { id = migration.Id });
    }

    public static int FileCount(LegacyImportMigration migration) =>
        System.Text.Json.JsonSerializer.Deserialize<List<LegacyInputFile>>(migration.Files, System.Text.Json.JsonSerializerOptions.Web)?.Count ?? 0;

    private async Task LoadAsync(CancellationToken ct)
    {
        ViewData["Section"] = "LegacyImport";
        Recent = await migrations.ListAsync(User.ToActor(), 50, ct);
    }
}
