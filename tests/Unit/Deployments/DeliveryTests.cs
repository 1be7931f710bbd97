using System.Net;
using Catalyst.Data;
using Catalyst.Data.Deployments;
using Catalyst.Data.Outbox;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Catalyst.Tests.Unit.Deployments;

/// <summary>
/// A Portal whose deliveries may go to loopback (the endpoints of these tests), with short waits
/// (base 0.2 s, cap 5 s, ±20%, 5 retries) and no recurring sweep: a test with its own clock drives
/// the schedule by hand and must not meet the sweep.
/// </summary>
public sealed class DeliveryPortal : IAsyncLifetime
{
    public static readonly Dictionary<string, string?> Settings = new()
    {
        ["Catalyst:Deployments:AllowPrivateEndpoints"] = "true",
        ["Catalyst:Deployments:RetryBaseSeconds"] = "0.2",
        ["Catalyst:Deployments:RetryCapSeconds"] = "5",
        ["Catalyst:Deployments:MaxRetries"] = "5",
        ["Catalyst:Jobs:Schedules:outbox-sweep"] = "never",
    };

    public PortalFactory Portal { get; } = new(Settings);
    public ValueTask InitializeAsync() => Portal.InitializeAsync();
    public ValueTask DisposeAsync() => Portal.DisposeAsync();
}

/// <summary>SPEC §9 and §14: deliveries with idempotency keys, attempt numbers and the retry schedule, against a local endpoint.</summary>
public class DeliveryTests(DeliveryPortal fixture) : IClassFixture<DeliveryPortal>
{
    private PortalFactory Portal => fixture.Portal;

    [Fact]
    public async Task An_endpoint_that_fails_twice_gets_three_attempts_with_one_idempotency_key_and_the_run_succeeds()
    {
        await using var endpoint = await LoopbackEndpoint.FailingAsync(2);
        const string credential = "bearer-credential-value-5555";
        var (api, websiteId, configId) = await Portal.ConfigAsync(endpoint.Url, credential);

        var runId = await api.DeployAsync(configId);
        var run = await api.WaitForRunAsync(runId, "succeeded");

        var requests = endpoint.Requests;
        Assert.Equal(3, requests.Count);
        Assert.Equal(["1", "2", "3"], requests.Select(r => r.Attempt));
        Assert.Single(requests.Select(r => r.IdempotencyKey).Distinct());
        Assert.StartsWith("dep_", requests[0].IdempotencyKey, StringComparison.Ordinal);
        Assert.All(requests, r => Assert.Equal($"Bearer {credential}", r.Authorization));
        Assert.All(requests, r => Assert.StartsWith("""{"format":"catalyst.website-backup","formatVersion":1""", r.BodyStart, StringComparison.Ordinal));
        Assert.All(requests, r => Assert.StartsWith("application/json", r.ContentType, StringComparison.Ordinal));
        // The waits before attempts 2 and 3 were at least 0.2 s and 0.4 s, less 20%.
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromSeconds(0.16), $"{requests[1].At - requests[0].At}");
        Assert.True(requests[2].At - requests[1].At >= TimeSpan.FromSeconds(0.32), $"{requests[2].At - requests[1].At}");

        Assert.Equal(3, run.GetProperty("attemptCount").GetInt32());
        var attempts = run.GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal(["retry", "retry", "succeeded"], attempts.Select(a => a.GetProperty("outcome").GetString()));
        Assert.Equal([503, 503, 200], attempts.Select(a => a.GetProperty("statusCode").GetInt32()));
        Assert.Contains("503", attempts[0].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.All(attempts, a => Assert.True(a.GetProperty("durationMs").GetInt32() >= 0));
        var operation = await Portal.WithDbAsync(db => db.Set<SyncOperation>().AsNoTracking().SingleAsync(o => o.PayloadRef == runId.ToString(), TestContext.Current.CancellationToken));
        Assert.Equal(SyncOperationStatus.Succeeded, operation.Status);
        Assert.Equal(requests[0].IdempotencyKey, operation.IdempotencyKey);

        // Each attempt read the credential once, audited; the deploy itself is audited too.
        var audit = await Portal.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.Action == "secret.read" || (e.Action == "deployment.deploy" && e.EntityId == runId.ToString()))
            .ToListAsync(TestContext.Current.CancellationToken));
        Assert.Single(audit, e => e.Action == "deployment.deploy");
        var credentialId = await Portal.WithDbAsync(db => db.Set<Catalyst.Data.Secrets.Credential>().Where(c => c.DeploymentConfigId == configId).Select(c => c.Id).SingleAsync(TestContext.Current.CancellationToken));
        Assert.Equal(3, audit.Count(e => e.Action == "secret.read" && e.EntityId == credentialId.ToString() && e.Details!.Contains("deployment delivery", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_endpoint_that_always_fails_gets_five_retries_then_the_run_fails_and_a_manual_retry_delivers_it()
    {
        await using var endpoint = await LoopbackEndpoint.StartAsync(_ => (500, null));
        var (api, _, configId) = await Portal.ConfigAsync(endpoint.Url);

        var runId = await api.DeployAsync(configId);
        var failed = await api.WaitForRunAsync(runId, "failed");

        Assert.Equal(6, endpoint.Requests.Count);
        Assert.Equal(6, failed.GetProperty("attemptCount").GetInt32());
        Assert.Equal(["retry", "retry", "retry", "retry", "retry", "failed"], failed.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("outcome").GetString()));
        Assert.Equal("The endpoint answered 500 Internal Server Error.", failed.GetProperty("error").GetString());
        // Lets time pass: a sixth retry would come within a second (0.2 s base); there is nothing to poll for an absence.
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.Equal(6, endpoint.Requests.Count); // nothing more is tried on its own

        endpoint.Answer = _ => (200, null);
        var retried = await api.PostAsync($"/api/deployment-runs/{runId}/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        await api.WaitForRunAsync(runId, "succeeded");

        var requests = endpoint.Requests;
        Assert.Equal(7, requests.Count);
        Assert.Equal("7", requests[6].Attempt);
        Assert.Single(requests.Select(r => r.IdempotencyKey).Distinct());
        await (await api.PostAsync($"/api/deployment-runs/{runId}/retry", null)).AssertProblemAsync(HttpStatusCode.Conflict, "run_not_retryable");
    }

    [Fact]
    public async Task A_400_answer_fails_the_run_at_once_without_retries()
    {
        await using var endpoint = await LoopbackEndpoint.StartAsync(_ => (400, null));
        var (api, _, configId) = await Portal.ConfigAsync(endpoint.Url);

        var runId = await api.DeployAsync(configId);
        var failed = await api.WaitForRunAsync(runId, "failed");

        Assert.Equal(1, failed.GetProperty("attemptCount").GetInt32());
        Assert.Equal("failed", Assert.Single(failed.GetProperty("attempts").EnumerateArray()).GetProperty("outcome").GetString());
        // Lets time pass: a retry would come within a second (0.2 s base); there is nothing to poll for an absence.
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.Single(endpoint.Requests);
    }

    [Theory]
    [InlineData(408)]
    [InlineData(502)]
    public async Task Timeouts_and_server_errors_are_retried(int status)
    {
        await using var endpoint = await LoopbackEndpoint.FailingAsync(1, status);
        var (api, _, configId) = await Portal.ConfigAsync(endpoint.Url);

        var run = await api.WaitForRunAsync(await api.DeployAsync(configId), "succeeded");

        Assert.Equal([status, 200], run.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("statusCode").GetInt32()));
    }

    [Fact]
    public async Task A_429_is_retried_after_its_Retry_After()
    {
        await using var endpoint = await LoopbackEndpoint.StartAsync(n => n == 1 ? (429, "2") : (200, null));
        var (api, _, configId) = await Portal.ConfigAsync(endpoint.Url);

        await api.WaitForRunAsync(await api.DeployAsync(configId), "succeeded");

        var requests = endpoint.Requests;
        Assert.Equal(2, requests.Count);
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromSeconds(1.9), $"waited only {requests[1].At - requests[0].At}");
    }

    [Fact]
    public async Task A_network_error_is_retried()
    {
        // A port that was free a moment ago: nothing listens there.
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var (api, _, configId) = await Portal.ConfigAsync($"http://127.0.0.1:{port}/hook");

        var failed = await api.WaitForRunAsync(await api.DeployAsync(configId), "failed");

        var attempts = failed.GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal(6, attempts.Count);
        Assert.All(attempts, a => Assert.Equal(System.Text.Json.JsonValueKind.Null, a.GetProperty("statusCode").ValueKind));
        Assert.All(attempts, a => Assert.StartsWith("Network error", a.GetProperty("error").GetString(), StringComparison.Ordinal));
    }

    /// <summary>Records what the outbox asked the queue for, instead of running it.</summary>
    private sealed class RecordingQueue : IDeliveryQueue
    {
        public List<(Guid Id, DateTimeOffset? At)> Calls { get; } = [];
        public void Enqueue(Guid operationId) => Calls.Add((operationId, null));
        public void Schedule(Guid operationId, DateTimeOffset at) => Calls.Add((operationId, at));
    }

    [Fact]
    public async Task With_a_test_clock_each_wait_is_1_2_4_8_16_times_the_base_within_20_percent_and_nothing_runs_early()
    {
        await using var endpoint = await LoopbackEndpoint.StartAsync(_ => (503, null));
        var (_, _, configId) = await Portal.ConfigAsync(endpoint.Url);
        var owner = await Portal.WithDbAsync(db => db.Set<DeploymentConfig>().Where(c => c.Id == configId)
            .Join(db.Set<Catalyst.Data.Websites.Website>(), c => c.WebsiteId, w => w.Id, (c, w) => w.OwnerId).SingleAsync(TestContext.Current.CancellationToken));
        var actor = new Catalyst.Data.Common.Actor(owner, "owner@test.local", false);
        // Far from the real clock, so no real job could find the operation due.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(30));
        var queue = new RecordingQueue();
        await using var scope = Portal.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var deployments = ActivatorUtilities.CreateInstance<DeploymentService>(services, clock, queue);
        var dispatcher = ActivatorUtilities.CreateInstance<OutboxDispatcher>(services, clock, queue);
        var db = services.GetRequiredService<CatalystDbContext>();

        var run = await deployments.DeployAsync(actor, configId, TestContext.Current.CancellationToken);
        var operationId = run.Run.SyncOperationId;
        Assert.Equal([(operationId, (DateTimeOffset?)null)], queue.Calls);

        var policy = new RetryPolicy(TimeSpan.FromSeconds(0.2), TimeSpan.FromSeconds(5), 5, 0.2, TimeSpan.FromHours(1));
        for (var attempt = 1; attempt <= 6; attempt++)
        {
            var before = clock.GetUtcNow();
            await dispatcher.DispatchAsync(operationId, TestContext.Current.CancellationToken);
            var operation = await db.Set<SyncOperation>().AsNoTracking().SingleAsync(o => o.Id == operationId, TestContext.Current.CancellationToken);
            Assert.Equal(attempt, endpoint.Requests.Count);
            Assert.Equal(attempt, operation.Attempts);
            if (attempt == 6)
            {
                Assert.Equal(SyncOperationStatus.Failed, operation.Status);
                Assert.Null(operation.NextAttemptAt);
                break;
            }
            Assert.Equal(SyncOperationStatus.Pending, operation.Status);
            var wait = operation.NextAttemptAt!.Value - before.UtcDateTime;
            var nominal = TimeSpan.FromSeconds(0.2 * Math.Pow(2, attempt - 1));
            Assert.Equal(nominal, policy.Nominal(attempt));
            Assert.InRange(wait, nominal * 0.8 - TimeSpan.FromMilliseconds(1), nominal * 1.2 + TimeSpan.FromMilliseconds(1));
            Assert.Equal((operationId, (DateTimeOffset?)new DateTimeOffset(operation.NextAttemptAt.Value, TimeSpan.Zero)), queue.Calls[^1]);

            // Woken too early, nothing is sent and the appointment is kept.
            clock.SetUtcNow(new DateTimeOffset(operation.NextAttemptAt.Value, TimeSpan.Zero) - TimeSpan.FromMilliseconds(10));
            await dispatcher.DispatchAsync(operationId, TestContext.Current.CancellationToken);
            Assert.Equal(attempt, endpoint.Requests.Count);
            clock.SetUtcNow(new DateTimeOffset(operation.NextAttemptAt.Value, TimeSpan.Zero));
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(4, 8)]
    [InlineData(5, 16)]
    [InlineData(6, 32)]
    [InlineData(9, 32)]
    public void The_default_schedule_waits_1_2_4_8_16_seconds_capped_and_jitters_within_20_percent(int failures, double seconds)
    {
        var policy = new DeploymentOptions().RetryPolicy;
        var random = new Random(failures);

        Assert.Equal(TimeSpan.FromSeconds(seconds), policy.Nominal(failures));
        for (var i = 0; i < 200; i++)
            Assert.InRange(policy.Delay(failures, random).TotalSeconds, seconds * 0.8, seconds * 1.2);
        Assert.Equal(failures <= 5, policy.MayRetry(failures));
    }
}
