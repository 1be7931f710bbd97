using Catalyst.Data.Outbox;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Deployments;

/// <summary>SPEC §9: the retry schedule lives in the outbox rows, so a restarted Portal (whose in-memory queue forgot it) continues it.</summary>
public class DeliveryRestartTests
{
    [Fact]
    public async Task A_restart_in_the_middle_of_a_schedule_continues_it_at_the_stored_next_attempt()
    {
        var data = Path.Combine(Path.GetTempPath(), "catalyst-tests", Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?>(DeliveryPortal.Settings)
        {
            ["Catalyst:DataDirectory"] = data,
            ["Catalyst:Deployments:RetryBaseSeconds"] = "3",
            ["Catalyst:Deployments:RetryJitter"] = "0",
        };
        await using var endpoint = await LoopbackEndpoint.FailingAsync(1);
        Guid runId;
        DateTime nextAttemptAt;
        string idempotencyKey;

        await using (var before = new PortalFactory(settings, ownsDataDirectory: false))
        {
            await before.InitializeAsync();
            var (api, _, configId) = await before.ConfigAsync(endpoint.Url);
            runId = await api.DeployAsync(configId);
            var pending = await Poll.UntilAsync(
                () => before.WithDbAsync(db => db.Set<SyncOperation>().AsNoTracking().SingleAsync(o => o.PayloadRef == runId.ToString(), TestContext.Current.CancellationToken)),
                o => o is { Status: SyncOperationStatus.Pending, Attempts: 1 }, TimeSpan.FromSeconds(20), "the first attempt to fail");
            nextAttemptAt = pending.NextAttemptAt!.Value;
            idempotencyKey = pending.IdempotencyKey;
            Assert.Single(endpoint.Requests);
        } // stopped before the retry: the in-memory queue and its scheduled job are gone

        Assert.Single(endpoint.Requests);
        await using var after = new PortalFactory(settings, ownsDataDirectory: true);
        await after.InitializeAsync();
        var admin = await after.AdminAsync();
        var run = await after.CreateApiClient(admin.Token).WaitForRunAsync(runId, "succeeded");

        var requests = endpoint.Requests;
        Assert.Equal(2, requests.Count);
        Assert.Equal("2", requests[1].Attempt);
        Assert.Equal(idempotencyKey, requests[1].IdempotencyKey);
        Assert.True(requests[1].At >= nextAttemptAt.AddMilliseconds(-50), $"sent at {requests[1].At:O}, due at {nextAttemptAt:O}");
        Assert.Equal(["retry", "succeeded"], run.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("outcome").GetString()));
    }
}
