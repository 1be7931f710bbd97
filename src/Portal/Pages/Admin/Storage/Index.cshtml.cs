using Catalyst.Data.Common;
using Catalyst.Data.Jobs;
using Catalyst.Data.Storage;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Admin.Storage;

/// <summary>Admin view of the content-addressable store: what it holds, what dedup and compression save, GC and verification.</summary>
public class IndexModel(StorageStatistics statistics, JobRunService jobs, IBlobStore store, Microsoft.Extensions.Options.IOptions<StorageOptions> options) : PageModel
{
    public CompressionOptions Compression => options.Value.Compression;
    public StorageSummary Summary { get; private set; } = null!;
    public string StoreName => store.Name;
    public IReadOnlyList<JobRun> RecentRuns { get; private set; } = [];

    [BindProperty]
    public bool Rebuild { get; set; }

    [BindProperty]
    public bool Deep { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        ViewData["Section"] = "Admin";
        Summary = await statistics.SummarizeAsync(ct);
        var actor = User.ToActor();
        var gc = await jobs.ListAsync(actor, new JobRunQuery(StorageGarbageCollectionJob.Kind), new PageRequest(1, 5), ct);
        var verify = await jobs.ListAsync(actor, new JobRunQuery(StorageVerificationJob.Kind), new PageRequest(1, 5), ct);
        var recompress = await jobs.ListAsync(actor, new JobRunQuery(StorageRecompressionJob.Kind), new PageRequest(1, 5), ct);
        RecentRuns = gc.Items.Concat(verify.Items).Concat(recompress.Items).OrderByDescending(r => r.CreatedAt).Take(8).ToList();
    }

    public async Task<IActionResult> OnPostCollectAsync(CancellationToken ct)
    {
        var run = await jobs.StartAsync(User.ToActor(), StorageGarbageCollectionJob.Kind, null, ct);
        TempData["Flash"] = "Garbage collection started.";
        return RedirectToPage("/Jobs/Details", new { id = run.Id });
    }

    public async Task<IActionResult> OnPostRecompressAsync(CancellationToken ct)
    {
        var run = await jobs.StartAsync(User.ToActor(), StorageRecompressionJob.Kind, null, ct);
        TempData["Flash"] = "Recompression started.";
        return RedirectToPage("/Jobs/Details", new { id = run.Id });
    }

    public async Task<IActionResult> OnPostVerifyAsync(CancellationToken ct)
    {
        var run = await jobs.StartAsync(User.ToActor(), StorageVerificationJob.Kind, new { rebuild = Rebuild, deep = Deep }, ct);
        TempData["Flash"] = "Verification started.";
        return RedirectToPage("/Jobs/Details", new { id = run.Id });
    }

    public static string Size(long bytes) => Assets.IndexModel.Size(bytes);
}
