using System.Net;
using Catalyst.Data.Caching;
using Catalyst.Tests.Unit.Chat;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Catalyst.Tests.Unit.Caching;

/// <summary>The metadata cache never serves what a write changed, stays within its size, and counts what it does.</summary>
public class MetadataCacheTests(PortalFactory portal)
{
    private CacheStatistics Statistics() => portal.Services.GetRequiredService<MetadataCache>().Statistics();

    private static long RegionHits(CacheStatistics s, string region) => s.Regions.FirstOrDefault(r => r.Region == region)?.Hits ?? 0;

    [Fact]
    public async Task A_project_read_twice_is_a_hit_and_a_write_then_read_sees_the_write()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var id = (await (await api.PostJsonAsync("/api/projects", new { name = "Cached" })).ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();

        await api.GetAsync($"/api/projects/{id}");
        var hitsBefore = RegionHits(Statistics(), "project");
        await api.GetAsync($"/api/projects/{id}");
        Assert.True(RegionHits(Statistics(), "project") > hitsBefore);

        for (var version = 1; version <= 5; version++)
        {
            var put = await api.SendJsonAsync(HttpMethod.Put, $"/api/projects/{id}", new { name = $"Name {version}" }, $"\"{version}\"");
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            var read = (await (await api.GetAsync($"/api/projects/{id}")).ReadJsonAsync()).GetProperty("data");
            Assert.Equal($"Name {version}", read.GetProperty("name").GetString());
            Assert.Equal(version + 1, read.GetProperty("version").GetInt64());
        }
        await api.DeleteAsync($"/api/projects/{id}");
        await (await api.GetAsync($"/api/projects/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Sync_init_comes_from_the_cache_and_reflects_every_write()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        async Task<System.Text.Json.JsonElement> InitAsync() => (await (await api.GetAsync("/api/sync/init")).ReadJsonAsync()).GetProperty("data");

        Assert.Empty((await InitAsync()).GetProperty("chatSessions").EnumerateArray());
        var hits = RegionHits(Statistics(), "sync-sessions");
        Assert.Empty((await InitAsync()).GetProperty("chatSessions").EnumerateArray());
        Assert.True(RegionHits(Statistics(), "sync-sessions") > hits);

        var session = await api.CreateSessionAsync("Fresh");
        Assert.Equal("Fresh", Assert.Single((await InitAsync()).GetProperty("chatSessions").EnumerateArray()).GetProperty("title").GetString());
        await api.SendJsonAsync(HttpMethod.Patch, $"/api/chat/sessions/{session}", new { title = "Renamed" }, "\"1\"");
        Assert.Equal("Renamed", (await InitAsync()).GetProperty("chatSessions")[0].GetProperty("title").GetString());
        await api.PostBatchAsync(ChatTestData.Message(session, "m", "counted"));
        Assert.Equal(1, (await InitAsync()).GetProperty("chatSessions")[0].GetProperty("messageCount").GetInt32());
        var project = (await (await api.PostJsonAsync("/api/projects", new { name = "P" })).ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        Assert.Single((await InitAsync()).GetProperty("projects").EnumerateArray());
        await api.DeleteAsync($"/api/projects/{project}");
        Assert.Empty((await InitAsync()).GetProperty("projects").EnumerateArray());
        await api.DeleteAsync($"/api/chat/sessions/{session}");
        Assert.Empty((await InitAsync()).GetProperty("chatSessions").EnumerateArray());
    }

    [Fact]
    public async Task A_value_loaded_while_a_write_invalidates_it_is_never_served()
    {
        using var cache = new MetadataCache(Options.Create(new CacheOptions()));
        var loading = new TaskCompletionSource();
        var release = new TaskCompletionSource();

        var slowRead = cache.GetOrCreateAsync("project:x", ["project:x"], async _ =>
        {
            loading.SetResult();
            await release.Task;
            return "old";
        }, _ => 1, TestContext.Current.CancellationToken);
        await loading.Task;
        cache.Invalidate("project:x"); // the write commits while the old value is being loaded
        release.SetResult();
        Assert.Equal("old", await slowRead);

        var next = await cache.GetOrCreateAsync("project:x", ["project:x"], _ => Task.FromResult("new"), _ => 1, TestContext.Current.CancellationToken);
        Assert.Equal("new", next);
    }

    [Fact]
    public async Task The_cache_stays_within_its_size_limit_and_counts_evictions()
    {
        using var cache = new MetadataCache(Options.Create(new CacheOptions { SizeLimit = 20, CompactionPercentage = 0.5 }));
        for (var i = 0; i < 200; i++)
            await cache.GetOrCreateAsync($"project:{i}", [$"project:{i}"], _ => Task.FromResult(i), _ => 1, TestContext.Current.CancellationToken);

        await Poll.UntilAsync(() => Task.FromResult(cache.Statistics().Evictions), e => e > 0, TimeSpan.FromSeconds(10), "evictions");
        var statistics = cache.Statistics();
        Assert.True(statistics.Size <= 20, $"size {statistics.Size}");
        Assert.Equal(200, statistics.Misses);
    }

    [Fact]
    public async Task The_admin_cache_page_shows_hit_rate_size_and_evictions()
    {
        var admin = await portal.CreateUserAsync("cache-admin", admin: true);
        var browser = await portal.CreateSignedInBrowserAsync(admin);
        await portal.CreateApiClient(admin.Token).GetAsync("/api/sync/init");

        var page = await browser.GetDocumentAsync("/Admin/Cache");
        var api = await (await portal.CreateApiClient(admin.Token).GetAsync("/api/admin/cache")).ReadJsonAsync();

        Assert.EndsWith("%", page.QuerySelector("[data-testid=hit-rate]")!.TextContent.Trim(), StringComparison.Ordinal);
        Assert.Contains("/", page.QuerySelector("[data-testid=size]")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.QuerySelector("[data-testid=evictions]"));
        Assert.NotNull(page.QuerySelector("[data-testid=cache-regions]"));
        Assert.True(api.GetProperty("data").GetProperty("misses").GetInt64() > 0);
        Assert.True(api.GetProperty("data").GetProperty("sizeLimit").GetInt64() > 0);
    }
}
