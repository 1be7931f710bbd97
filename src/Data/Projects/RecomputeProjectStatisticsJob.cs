using Catalyst.Data.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Projects;

public sealed record ProjectStatisticsInput(Guid? OwnerId, int ThrottleMs = 0);

public sealed record TagCount(string Tag, int Count);

public sealed record ProjectStatistics(int Total, int Active, int Archived, int Owners, IReadOnlyList<TagCount> TopTags, DateTime? LastUpdatedAt);

/// <summary>
/// Walks the projects (one owner's, or all for an admin) in key order and tallies status, owners
/// and tags. Read-only, so a rerun after a restart simply starts over.
/// </summary>
public sealed class RecomputeProjectStatisticsJob(CatalystDbContext db, JobProgress progress) : IJob
{
    public const string Kind = "recompute-project-statistics";
    public const string DisplayName = "Recompute project statistics";

    private const int BatchSize = 500;

    public async Task<object?> RunAsync(Guid jobRunId, CancellationToken ct)
    {
        var input = await JobInput.ReadAsync<ProjectStatisticsInput>(db, jobRunId, ct) ?? new ProjectStatisticsInput(null);
        var throttle = TimeSpan.FromMilliseconds(Math.Clamp(input.ThrottleMs, 0, 2000));

        var projects = db.Projects.AsNoTracking();
        if (input.OwnerId is { } ownerId)
            projects = projects.Where(p => p.OwnerId == ownerId);

        var total = await projects.CountAsync(ct);
        int done = 0, active = 0, archived = 0;
        var owners = new HashSet<Guid>();
        var tags = new Dictionary<string, int>(StringComparer.Ordinal);
        DateTime? lastUpdated = null;
        Guid? after = null;
        await progress.ReportAsync(jobRunId, 0, total, ct, force: true);

        while (true)
        {
            var page = projects;
            if (after is { } last)
                page = page.Where(p => p.Id.CompareTo(last) > 0);
            var batch = await page.OrderBy(p => p.Id).Take(BatchSize)
                .Select(p => new { p.Id, p.OwnerId, p.Status, p.Tags, p.UpdatedAt })
                .ToListAsync(ct);
            if (batch.Count == 0)
                break;
            foreach (var p in batch)
            {
                if (p.Status == ProjectStatus.Active) active++; else archived++;
                owners.Add(p.OwnerId);
                foreach (var tag in p.Tags)
                    tags[tag] = tags.GetValueOrDefault(tag) + 1;
                if (lastUpdated is null || p.UpdatedAt > lastUpdated)
                    lastUpdated = p.UpdatedAt;
            }
            done += batch.Count;
            after = batch[^1].Id;
            await progress.ReportAsync(jobRunId, done, Math.Max(total, done), ct, force: throttle > TimeSpan.Zero);
            if (throttle > TimeSpan.Zero)
                await Task.Delay(throttle, ct);
        }

        var topTags = tags.OrderByDescending(t => t.Value).ThenBy(t => t.Key, StringComparer.Ordinal)
            .Take(10).Select(t => new TagCount(t.Key, t.Value)).ToList();
        return new ProjectStatistics(done, active, archived, owners.Count, topTags, lastUpdated);
    }
}
