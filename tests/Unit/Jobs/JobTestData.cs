using System.Text.Json;
using Catalyst.Data.Jobs;
using Catalyst.Data.Projects;
using Catalyst.Tests.Unit.Infrastructure;

namespace Catalyst.Tests.Unit.Jobs;

/// <summary>Arranging job runs and projects directly in the database, and waiting for runs through the API.</summary>
public static class JobTestData
{
    /// <summary>Adds a JobRun row as a previous process might have left it; nothing is queued.</summary>
    public static Task<JobRun> InsertRunAsync(this PortalFactory portal, Guid? requestedBy, JobRunStatus status, object? input = null,
        string kind = RecomputeProjectStatisticsJob.Kind, int attempts = 1, string? hangfireJobId = null, bool cancelRequested = false) =>
        portal.WithDbAsync(async db =>
        {
            var run = new JobRun
            {
                Id = Guid.CreateVersion7(),
                Kind = kind,
                Status = status,
                RequestedById = requestedBy,
                Input = input is null ? null : JsonSerializer.Serialize(input, JsonSerializerOptions.Web),
                Attempts = attempts,
                HangfireJobId = hangfireJobId,
                CancelRequested = cancelRequested,
                Error = status == JobRunStatus.Failed ? "It broke." : null,
                StartedAt = status == JobRunStatus.Queued ? null : DateTime.UtcNow,
                FinishedAt = status is JobRunStatus.Succeeded or JobRunStatus.Failed or JobRunStatus.Canceled ? DateTime.UtcNow : null,
            };
            db.JobRuns.Add(run);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            return run;
        });

    /// <summary>Adds <paramref name="count"/> projects for <paramref name="ownerId"/> in one batch (faster than the service).</summary>
    public static Task SeedProjectsAsync(this PortalFactory portal, Guid ownerId, int count, Func<int, (ProjectStatus Status, string[] Tags)>? shape = null) =>
        portal.WithDbAsync(async db =>
        {
            for (var i = 0; i < count; i++)
            {
                var (status, tags) = shape?.Invoke(i) ?? (ProjectStatus.Active, []);
                db.Projects.Add(new Project { Id = Guid.CreateVersion7(), OwnerId = ownerId, Name = $"Seeded {i}", Status = status, Tags = [.. tags] });
            }
            return await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        });

    public static async Task<JsonElement> GetRunAsync(this HttpClient api, Guid id)
    {
        var response = await api.GetAsync($"/api/jobs/{id}");
        return (await response.ReadJsonAsync()).GetProperty("data");
    }

    /// <summary>Polls <c>GET /api/jobs/{id}</c> until the run is in <paramref name="status"/> (or fails the test on another final state).</summary>
    public static Task<JsonElement> WaitForStatusAsync(this HttpClient api, Guid id, string status, TimeSpan? timeout = null) =>
        Poll.UntilAsync(() => api.GetRunAsync(id), run =>
        {
            var current = run.GetProperty("status").GetString();
            if (current != status && current is "succeeded" or "failed" or "canceled")
                Assert.Fail($"The run ended {current} instead of {status}: {run}");
            return current == status;
        }, timeout ?? TimeSpan.FromSeconds(60), $"job {id} to be {status}");
}
