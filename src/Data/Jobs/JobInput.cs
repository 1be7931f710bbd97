using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Jobs;

/// <summary>Reads a run's input record and reports its progress; shared by the jobs of every feature.</summary>
public static class JobInput
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
