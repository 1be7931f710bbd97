using System.Text.Json;
using Catalyst.Data;
using Catalyst.Data.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Search;

public sealed record SearchRebuildInput(bool Clear = false);

public sealed record SearchVerificationInput(bool Repair = false);

/// <summary>Re-indexes every chat message and project (on demand, from the admin API).</summary>
public sealed class SearchRebuildJob(SearchMaintenance maintenance, CatalystDbContext db, JobProgress progress) : IJob
{
    public const string Kind = "search-rebuild";
    public const string DisplayName = "Search index rebuild";

    public async Task<object?> RunAsync(Guid jobRunId, CancellationToken ct)
    {
        var input = await JobInput.ReadAsync<SearchRebuildInput>(db, jobRunId, ct) ?? new();
        var reporter = new JobInput.Reporter(progress, jobRunId, ct);
        await progress.ReportAsync(jobRunId, 0, null, ct, force: true);
        var result = await maintenance.RebuildAsync(input.Clear, reporter, ct);
        await reporter.FlushAsync();
        return result;
    }
}

/// <summary>Checks the index against the data (recurring, and on demand); repair mode fixes what differs.</summary>
public sealed class SearchVerificationJob(SearchMaintenance maintenance, CatalystDbContext db, JobProgress progress) : IJob
{
    public const string Kind = "search-verify";
    public const string DisplayName = "Search index verification";

    public async Task<object?> RunAsync(Guid jobRunId, CancellationToken ct)
    {
        var input = await JobInput.ReadAsync<SearchVerificationInput>(db, jobRunId, ct) ?? new();
        var reporter = new JobInput.Reporter(progress, jobRunId, ct);
        await progress.ReportAsync(jobRunId, 0, null, ct, force: true);
        var result = await maintenance.VerifyAsync(input.Repair, reporter, ct);
        await reporter.FlushAsync();
        return result;
    }
}
