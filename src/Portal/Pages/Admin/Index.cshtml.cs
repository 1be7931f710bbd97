using Catalyst.Data.Audit;
using Catalyst.Data.Common;
using Catalyst.Data.Deployments;
using Catalyst.Data.Identity;
using Catalyst.Data.Jobs;
using Catalyst.Data.Observability;
using Catalyst.Data.Outbox;
using Catalyst.Data.Storage;
using Catalyst.Data.Tokens;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Admin;

/// <summary>Where an admin starts the day: accounts, tokens, storage and cache, what failed lately, and the way to every admin tool.</summary>
public class IndexModel(UserAdminService users, ApiTokenService tokens, StorageStatistics storage, JobRunService jobs, DeploymentService deployments,
    OutboxSweeper outbox, AuditLog audit, IEnumerable<ICacheStatisticsSource> caches, TimeProvider time) : PageModel
{
    public UserCounts Users { get; private set; } = null!;
    public Page<ApiTokenOverview> Tokens { get; private set; } = null!;
    public StorageSummary Storage { get; private set; } = null!;
    public IReadOnlyList<CacheCounters> Caches { get; private set; } = [];
    public Page<JobRun> FailedJobs { get; private set; } = null!;
    public IReadOnlyList<DeploymentRunDetails> FailedDeliveries { get; private set; } = [];
    public OutboxBacklog Outbox { get; private set; } = null!;
    public Page<AuditEntry> RecentAudit { get; private set; } = null!;
    public DateTime Now => time.GetUtcNow().UtcDateTime;

    public async Task OnGetAsync(CancellationToken ct)
    {
        ViewData["Section"] = "Admin";
        var actor = User.ToActor();
        Users = await users.CountsAsync(Now, ct);
        Tokens = await tokens.ListAllAsync(actor, activeOnly: true, null, new PageRequest(1, 5), ct);
        Storage = await storage.SummarizeAsync(ct);
        Caches = caches.Select(c => c.Read()).ToList();
        FailedJobs = await jobs.ListAsync(actor, new JobRunQuery(Status: JobRunStatus.Failed), new PageRequest(1, 5), ct);
        FailedDeliveries = await deployments.RecentFailuresAsync(actor, 5, ct);
        Outbox = await outbox.BacklogAsync(ct);
        RecentAudit = await audit.ListAsync(new AuditQuery(), new PageRequest(1, 8), ct);
    }

    public async Task<IActionResult> OnPostRevokeTokenAsync(Guid id, CancellationToken ct)
    {
        await tokens.RevokeAsync(User.ToActor(), id, ct);
        TempData["Flash"] = "The token was revoked.";
        return RedirectToPage();
    }

    public static string Size(long bytes) => Assets.IndexModel.Size(bytes);
}
