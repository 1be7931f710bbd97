using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Catalyst.Tests.Unit.Deployments;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Tests.Unit.Uploads;
using Catalyst.Tests.Unit.Websites;

namespace Catalyst.Tests.Unit.Hardening;

/// <summary>
/// SPEC §9 and §16: kill -9 of the Portal in the middle of long work — a website import, a key
/// rotation, a deployment delivery (the tus upload has its own test in Uploads) — then a restart
/// on the same data. Each piece of work resumes or ends cleanly with its JobRun (or run) saying
/// which, nothing is duplicated, nothing half-written is visible, and the storage verify command
/// and the search index verify job report clean.
/// </summary>
public class CrashRecoveryTests
{
    private const string Email = "crash-admin@test.local";
    private const string Password = "Crash-Pass-123!";

    private static readonly Dictionary<string, string> Environment = new()
    {
        ["Catalyst__Admin__Email"] = Email,
        ["Catalyst__Admin__Password"] = Password,
        ["Catalyst__Deployments__AllowPrivateEndpoints"] = "true",
        ["Catalyst__Deployments__RetryBaseSeconds"] = "0.5",
        ["Catalyst__Deployments__RetryJitter"] = "0",
        // An attempt in flight when its process died is taken back when its lease (attempt timeout + 30 s) runs out:
        // no instance can tell a dead worker from a slow one on another machine sooner.
        ["Catalyst__Deployments__AttemptTimeoutSeconds"] = "5",
    };

    private static async Task<HttpClient> SignedInAsync(PortalProcess portal)
    {
        var http = portal.CreateClient();
        http.Timeout = TimeSpan.FromSeconds(120);
        var response = await http.PostAsJsonAsync("/api/auth/token", new { email = Email, password = Password, name = "crash" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            (await response.ReadJsonAsync()).GetProperty("data").GetProperty("token").GetString());
        return http;
    }

    private static async Task<JsonElement> JobAsync(HttpClient api, string location) =>
        (await (await api.GetAsync(location)).ReadJsonAsync()).GetProperty("data");

    private static Task<JsonElement> FinishedAsync(HttpClient api, string location, TimeSpan? timeout = null) =>
        Poll.UntilAsync(() => JobAsync(api, location), j => j.GetProperty("status").GetString() is "succeeded" or "failed" or "canceled",
            timeout ?? TimeSpan.FromSeconds(120), $"{location} to finish");

    /// <summary>The checks every crash ends with: blob refcounts and hashes (verify-storage) and the search index (its verify job) are clean.</summary>
    private static async Task AssertVerifiedCleanAsync(PortalProcess portal, HttpClient api, string dataDirectory)
    {
        var verify = await api.PostAsync("/api/admin/search/verify", null);
        Assert.Equal(HttpStatusCode.Accepted, verify.StatusCode);
        var search = await FinishedAsync(api, verify.Headers.Location!.OriginalString);
        Assert.True(search.GetProperty("status").GetString() == "succeeded", search.ToString());
        var result = search.GetProperty("result");
        foreach (var counter in new[] { "missing", "orphaned", "mismatched" })
        {
            if (result.TryGetProperty(counter, out var value))
                Assert.True(value.GetInt32() == 0, $"search verify: {result}");
        }
        await portal.StopAsync(); // the verify command opens the same SQLite file
        var (code, output, error) = await WorkersProcess.RunAsync(["verify-storage"],
            new Dictionary<string, string> { ["Catalyst__DataDirectory"] = dataDirectory }, TimeSpan.FromMinutes(3));
        Assert.True(code == 0, $"verify-storage exited {code}:\n{output}\n{error}");
    }

    [Fact]
    public async Task A_website_import_killed_half_way_runs_again_after_the_restart_and_lands_exactly_once()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "catalyst-crash-tests", Guid.NewGuid().ToString("N"));
        string importJob;
        byte[] backup;
        string expected;
        try
        {
            await using (var first = PortalProcess.Start(Environment, dataDirectory))
            {
                await first.WaitUntilReadyAsync();
                using var api = await SignedInAsync(first);
                var site = (await (await api.PostAsJsonAsync("/api/websites", new { name = "Crashed import", category = "blog" })).ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
                expected = JsonSerializer.Serialize(new { pages = Enumerable.Range(0, 250_000).Select(i => new { id = i, title = $"Page {i}", body = $"text {i % 89} é" }) });
                Assert.Equal(HttpStatusCode.OK, (await api.PutDataAsync(site, $"{{\"content\": {expected}}}", "\"0\"")).StatusCode);
                await new TusClient(api).UploadAsync(RandomNumberGenerator.GetBytes(6 << 20), 1 << 20,
                    TusClient.Metadata(("filename", "photo.bin"), ("websiteId", site.ToString())));
                var export = await api.PostAsJsonAsync($"/api/websites/{site}/exports", new { gzip = false });
                var exported = await FinishedAsync(api, export.Headers.Location!.OriginalString);
                Assert.Equal("succeeded", exported.GetProperty("status").GetString());
                backup = await api.GetByteArrayAsync($"{export.Headers.Location!.OriginalString}/result");
                Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/websites/{site}")).StatusCode);

                using var form = new MultipartFormDataContent();
                var file = new ByteArrayContent(backup);
                file.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                form.Add(file, "file", "crashed.catalyst-backup.json");
                var started = await api.PostAsync("/api/websites/import?onDuplicate=copy", form);
                Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
                importJob = started.Headers.Location!.OriginalString;
                await Poll.UntilAsync(() => JobAsync(api, importJob), j => j.GetProperty("status").GetString() != "queued", TimeSpan.FromSeconds(60), "the import to start");
                await first.StopAsync(); // SIGKILL while it runs (or just after, on a fast machine)
            }

            await using var second = PortalProcess.Start(Environment, dataDirectory);
            await second.WaitUntilReadyAsync();
            using var resumed = await SignedInAsync(second);
            var job = await FinishedAsync(resumed, importJob);
            Assert.True(job.GetProperty("status").GetString() == "succeeded", $"the import ended {job}");

            var sites = (await (await resumed.GetAsync("/api/websites?q=Crashed%20import")).ReadJsonAsync()).GetProperty("data");
            var imported = Assert.Single(sites.EnumerateArray());
            var data = await resumed.GetStringAsync($"/api/websites/{imported.GetProperty("id").GetGuid()}/data?fields=content");
            using (var document = JsonDocument.Parse(data))
                Assert.Equal(JsonDocument.Parse(expected).RootElement.GetRawText().Length,
                    document.RootElement.GetProperty("data").GetProperty("content").GetRawText().Length);
            await AssertVerifiedCleanAsync(second, resumed, dataDirectory);
        }
        finally
        {
            try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task A_key_rotation_killed_as_it_runs_finishes_after_the_restart_and_every_secret_still_reads()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "catalyst-crash-tests", Guid.NewGuid().ToString("N"));
        var masterKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var environment = new Dictionary<string, string>(Environment) { ["Catalyst__Secrets__MasterKey"] = masterKey };
        var servers = new List<Guid>();
        string rotation;
        try
        {
            await using (var first = PortalProcess.Start(environment, dataDirectory))
            {
                await first.WaitUntilReadyAsync();
                using var api = await SignedInAsync(first);
                for (var i = 0; i < 60; i++)
                {
                    var created = await api.PostAsJsonAsync("/api/admin/mcp-servers", new
                    {
                        name = $"Crash MCP {i}", transport = "http", endpoint = $"https://mcp{i}.example.com/mcp", credential = $"credential-value-{i:D4}",
                    });
                    Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                    servers.Add((await created.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid());
                }
                var started = await api.PostAsync("/api/admin/keys/rotate", null);
                Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
                rotation = started.Headers.Location!.OriginalString;
                await first.StopAsync(); // SIGKILL right after the rotation was asked for
            }

            await using var second = PortalProcess.Start(environment, dataDirectory);
            await second.WaitUntilReadyAsync();
            using var resumed = await SignedInAsync(second);
            var job = await FinishedAsync(resumed, rotation);
            Assert.True(job.GetProperty("status").GetString() == "succeeded", $"the rotation ended {job}");
            var keys = (await (await resumed.GetAsync("/api/admin/keys")).ReadJsonAsync()).GetProperty("data");
            Assert.Single(keys.EnumerateArray());
            foreach (var (id, i) in servers.Select((id, i) => (id, i)))
            {
                var server = (await (await resumed.GetAsync($"/api/admin/mcp-servers/{id}")).ReadJsonAsync()).GetProperty("data");
                Assert.EndsWith($"{i:D4}", server.GetProperty("credential").GetProperty("masked").GetString(), StringComparison.Ordinal);
            }
            await AssertVerifiedCleanAsync(second, resumed, dataDirectory);
        }
        finally
        {
            try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task A_delivery_killed_in_flight_is_sent_again_after_the_restart_with_the_same_idempotency_key_and_succeeds_once()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "catalyst-crash-tests", Guid.NewGuid().ToString("N"));
        var inFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var endpoint = await LoopbackEndpoint.StartAsync(_ => (200, null));
        endpoint.Hold = async n =>
        {
            if (n != 1)
                return;
            inFlight.TrySetResult();
            await release.Task; // the first delivery never gets its answer: the Portal dies first
        };
        Guid runId;
        try
        {
            await using (var first = PortalProcess.Start(Environment, dataDirectory))
            {
                await first.WaitUntilReadyAsync();
                using var api = await SignedInAsync(first);
                var site = (await (await api.PostAsJsonAsync("/api/websites", new { name = "Crashed delivery" })).ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
                var config = await api.PostAsJsonAsync($"/api/websites/{site}/deployment-configs",
                    new { name = "Production", provider = "webhook", endpoint = endpoint.Url, credential = "crash-credential-1234" });
                Assert.True(config.StatusCode == HttpStatusCode.Created, await config.Content.ReadAsStringAsync());
                runId = await api.DeployAsync((await config.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid());
                await inFlight.Task.WaitAsync(TimeSpan.FromSeconds(60));
                await first.StopAsync();
            }
            release.SetResult();

            await using var second = PortalProcess.Start(Environment, dataDirectory);
            await second.WaitUntilReadyAsync();
            using var resumed = await SignedInAsync(second);
            var run = await Poll.UntilAsync(async () => (await (await resumed.GetAsync($"/api/deployment-runs/{runId}")).ReadJsonAsync()).GetProperty("data"),
                r => r.GetProperty("status").GetString() is "succeeded" or "failed", TimeSpan.FromSeconds(180), "the delivery to end");
            Assert.True(run.GetProperty("status").GetString() == "succeeded", $"the delivery ended {run}");
            var requests = endpoint.Requests;
            Assert.True(requests.Count >= 2, $"{requests.Count} request(s) reached the endpoint");
            Assert.Single(requests.Select(r => r.IdempotencyKey).Distinct());
            await AssertVerifiedCleanAsync(second, resumed, dataDirectory);
        }
        finally
        {
            try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { }
        }
    }
}
