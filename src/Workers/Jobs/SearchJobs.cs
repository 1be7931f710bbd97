using System.Text.Json;
using Catalyst.Data;
using Catalyst.Data.Jobs;
using Catalyst.Data.Search;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Workers.Jobs;

public sealed record SearchRebuildInput(bool Clear = false);

public sealed record SearchVerificationInput(bool Repair = false);

/// <summary>Re-indexes every chat message and project (on demand, from the admin API).</summary>
public sealed class SearchRebuildJob(SearchMaintenance maintenance, CatalystDbContext db, JobProgress progress) : IJob
{
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

internal static class JobInput
{
    public static async Task<T?> ReadAsync<T>(CatalystDbContext db, Guid jobRunId, CancellationToken ct)
    {
        var json = await db.JobRuns.AsNoTracking().Where(r => r.Id == jobRunId).Select(r => r.Input).SingleAsync(ct);
        return json is null ? default : JsonSerializer.Deserialize<T>(json, JsonSerializerOptions.Web);
    }

    /// <summary>
    /// Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and race the job's end);
    /// <see cref="FlushAsync"/> writes the last value, which the progress throttle may have skipped.
    /// </summary>
    public sealed class Reporter(JobProgress progress, Guid jobRunId, CancellationToken ct) : IProgress<(long Done, long Total)>
    {
        private (long Done, long Total) _last;

        public void Report((long Done, long Total) value)
        {
            _last = value;
            progress.ReportAsync(jobRunId, value.Done, value.Total, ct).GetAwaiter().GetResult();
        }

        public Task FlushAsync() => progress.ReportAsync(jobRunId, _last.Done, _last.Total, ct, force: true);
    }
}
