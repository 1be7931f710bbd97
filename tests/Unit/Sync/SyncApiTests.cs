using System.Net;
using System.Text.Json;
using Catalyst.Tests.Unit.Chat;
using Catalyst.Tests.Unit.Infrastructure;

namespace Catalyst.Tests.Unit.Sync;

/// <summary>
/// A client that keeps an offline copy the way SPEC §12 tells it to: sign-in sync, then the change
/// feed page by page (upsert = replace, delete = remove; a session's tombstone removes its messages).
/// </summary>
internal sealed class SimulatedClient(HttpClient api)
{
    public Dictionary<(string Type, Guid Id), string> Rows { get; } = [];
    public string? Cursor { get; private set; }
    public int Pages { get; private set; }

    public async Task InitAsync()
    {
        var data = (await (await api.GetAsync("/api/sync/init")).ReadJsonAsync()).GetProperty("data");
        foreach (var p in data.GetProperty("projects").EnumerateArray())
            Rows[("project", p.GetProperty("id").GetGuid())] = p.GetRawText();
        foreach (var s in data.GetProperty("chatSessions").EnumerateArray())
            Rows[("chatSession", s.GetProperty("id").GetGuid())] = s.GetRawText();
        Cursor = data.GetProperty("cursor").GetString();
    }

    /// <summary>The last flag map the feed brought.</summary>
    public string? Features { get; private set; }

    /// <summary>One page of changes; false when the feed had no more.</summary>
    public async Task<bool> PullAsync(int limit)
    {
        var url = $"/api/sync/changes?limit={limit}" + (Cursor is null ? "" : $"&since={Uri.EscapeDataString(Cursor)}");
        var response = await api.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var json = await response.ReadJsonAsync();
        foreach (var change in json.GetProperty("data").EnumerateArray())
        {
            var key = (change.GetProperty("type").GetString()!, change.GetProperty("id").GetGuid());
            if (key.Item1 == "features")
            {
                // The caller's flag map (FeatureFlagApiTests covers it); other tests flip flags at any time.
                Features = change.GetProperty("data").GetRawText();
                continue;
            }
            if (change.GetProperty("op").GetString() == "delete")
            {
                Rows.Remove(key);
                if (key.Item1 == "chatSession")
                    foreach (var message in Rows.Where(r => r.Key.Type == "chatMessage" && JsonDocument.Parse(r.Value).RootElement.GetProperty("sessionId").GetGuid() == key.Item2).ToList())
                        Rows.Remove(message.Key);
            }
            else
                Rows[key] = change.GetProperty("data").GetRawText();
        }
        Cursor = json.GetProperty("meta").GetProperty("cursor").GetString();
        Pages++;
        return json.GetProperty("meta").GetProperty("hasMore").GetBoolean();
    }

    public async Task CatchUpAsync(int limit)
    {
        while (await PullAsync(limit))
        {
        }
    }

    /// <summary>What the server holds for this user, read through the ordinary list endpoints.</summary>
    public static async Task<Dictionary<(string Type, Guid Id), string>> ServerStateAsync(HttpClient api, bool withMessages = true)
    {
        var rows = new Dictionary<(string, Guid), string>();
        foreach (var (type, url) in new[] { ("project", "/api/projects"), ("chatSession", "/api/chat/sessions") })
        {
            for (var page = 1; ; page++)
            {
                var json = await (await api.GetAsync($"{url}?pageSize=100&page={page}")).ReadJsonAsync();
                foreach (var item in json.GetProperty("data").EnumerateArray())
                    rows[(type, item.GetProperty("id").GetGuid())] = item.GetRawText();
                if (page * 100 >= json.GetProperty("meta").GetProperty("total").GetInt32())
                    break;
            }
        }
        if (withMessages)
        {
            foreach (var session in rows.Keys.Where(k => k.Item1 == "chatSession").Select(k => k.Item2).ToList())
            {
                var json = await (await api.GetAsync($"/api/chat/sessions/{session}/messages?limit=200")).ReadJsonAsync();
                foreach (var m in json.GetProperty("data").EnumerateArray())
                    rows[("chatMessage", m.GetProperty("id").GetGuid())] = m.GetRawText();
            }
        }
        return rows;
    }
}

public class SyncApiTests(PortalFactory portal)
{
    [Fact]
    public async Task Init_carries_the_user_project_metadata_recent_sessions_and_a_cursor_but_no_message_bodies()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        await api.PostJsonAsync("/api/projects", new { name = "Synced project", tags = new[] { "x" } });
        var noPreferences = (await (await api.GetAsync("/api/sync/init")).ReadJsonAsync()).GetProperty("data").GetProperty("preferences");
        await api.SendJsonAsync(HttpMethod.Put, "/api/me/preferences", new { preferences = new { theme = "dark" } });
        var website = await api.PostJsonAsync("/api/websites", new { name = "Synced site", slug = $"synced-{Guid.NewGuid():N}" });
        Assert.Equal(HttpStatusCode.Created, website.StatusCode);
        var sessions = new List<Guid>();
        for (var i = 0; i < 52; i++)
            sessions.Add(await api.CreateSessionAsync($"Session {i}"));
        await api.PostBatchAsync(ChatTestData.Message(sessions[0], "secret", "the message body stays on the server"));

        var response = await api.GetAsync("/api/sync/init");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var data = JsonDocument.Parse(text).RootElement.GetProperty("data");
        Assert.Equal(user.Id, data.GetProperty("user").GetProperty("id").GetGuid());
        Assert.Equal(user.Email, data.GetProperty("user").GetProperty("email").GetString());
        Assert.Contains("User", data.GetProperty("user").GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("Synced project", Assert.Single(data.GetProperty("projects").EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal("Synced site", Assert.Single(data.GetProperty("websites").EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, noPreferences.ValueKind);
        Assert.Equal("dark", data.GetProperty("preferences").GetProperty("theme").GetString());
        Assert.False(data.GetProperty("projectsTruncated").GetBoolean());
        var recent = data.GetProperty("chatSessions").EnumerateArray().ToList();
        Assert.Equal(50, recent.Count);
        Assert.Equal(sessions[0], recent[0].GetProperty("id").GetGuid()); // the message made it the most recent
        Assert.Equal(1, recent[0].GetProperty("messageCount").GetInt32());
        Assert.DoesNotContain("stays on the server", text, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(data.GetProperty("cursor").GetString()));
    }

    [Fact]
    public async Task Changes_since_init_carry_creates_updates_and_tombstones_in_order()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var client = new SimulatedClient(api);
        await client.InitAsync();

        var created = await api.PostJsonAsync("/api/projects", new { name = "First" });
        var project = (await created.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        await api.SendJsonAsync(HttpMethod.Put, $"/api/projects/{project}", new { name = "Second" }, "\"1\"");
        var session = await api.CreateSessionAsync();
        await api.DeleteAsync($"/api/projects/{project}");
        var json = await (await api.GetAsync($"/api/sync/changes?since={Uri.EscapeDataString(client.Cursor!)}")).ReadJsonAsync();

        var own = Own(json);
        var changes = own.Select(c => (c.GetProperty("type").GetString(), c.GetProperty("op").GetString())).ToList();
        Assert.Equal([("chatSession", "upsert"), ("project", "delete")], changes);
        Assert.Equal(JsonValueKind.Null, own[1].GetProperty("data").ValueKind);
        Assert.Equal(session, own[0].GetProperty("id").GetGuid());
        Assert.False(json.GetProperty("meta").GetProperty("hasMore").GetBoolean());
        var again = await (await api.GetAsync($"/api/sync/changes?since={Uri.EscapeDataString(json.GetProperty("meta").GetProperty("cursor").GetString()!)}")).ReadJsonAsync();
        Assert.Empty(Own(again));
    }

    [Fact]
    public async Task A_cursor_from_beyond_the_feed_answers_410_and_other_users_changes_never_appear()
    {
        var user = await portal.CreateUserAsync();
        var other = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        await portal.CreateApiClient(other.Token).PostJsonAsync("/api/projects", new { name = "Other's" });
        var future = Convert.ToBase64String("c1.99999999999"u8.ToArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        var expired = await api.GetAsync($"/api/sync/changes?since={future}");
        var everything = await (await api.GetAsync("/api/sync/changes")).ReadJsonAsync();

        await expired.AssertProblemAsync(HttpStatusCode.Gone, "cursor_expired");
        Assert.Empty(Own(everything));
    }

    /// <summary>The page's changes of the caller's own entities (feature-flag news, for everybody, may come between them).</summary>
    private static List<JsonElement> Own(JsonElement page) =>
        page.GetProperty("data").EnumerateArray().Where(c => c.GetProperty("type").GetString() != "features").ToList();

    [Fact]
    public async Task A_client_applying_the_pages_ends_equal_to_the_server_after_random_creates_updates_and_deletes()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var random = new Random(42);
        var projects = new List<Guid>();
        var sessions = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            projects.Add((await (await api.PostJsonAsync("/api/projects", new { name = $"p{i}" })).ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid());
            sessions.Add(await api.CreateSessionAsync($"s{i}"));
        }
        var fromInit = new SimulatedClient(api);
        await fromInit.InitAsync();
        var fromScratch = new SimulatedClient(api); // never ran init: the whole feed

        async Task<long> VersionAsync(string url) =>
            (await (await api.GetAsync(url)).ReadJsonAsync()).GetProperty("data").GetProperty("version").GetInt64();

        for (var step = 0; step < 120; step++)
        {
            switch (random.Next(9))
            {
                case 0:
                    projects.Add((await (await api.PostJsonAsync("/api/projects", new { name = $"p{step}", tags = new[] { $"t{step % 3}" } })).ReadJsonAsync())
                        .GetProperty("data").GetProperty("id").GetGuid());
                    break;
                case 1 when projects.Count > 0:
                    var p = projects[random.Next(projects.Count)];
                    await api.SendJsonAsync(HttpMethod.Put, $"/api/projects/{p}", new { name = $"renamed {step}" }, $"\"{await VersionAsync($"/api/projects/{p}")}\"");
                    break;
                case 2 when projects.Count > 0:
                    var doomed = projects[random.Next(projects.Count)];
                    projects.Remove(doomed);
                    await api.DeleteAsync($"/api/projects/{doomed}");
                    break;
                case 3:
                    sessions.Add(await api.CreateSessionAsync($"s{step}", projects.Count > 0 && random.Next(2) == 0 ? projects[random.Next(projects.Count)] : null));
                    break;
                case 4 when sessions.Count > 0:
                    var s = sessions[random.Next(sessions.Count)];
                    await api.SendJsonAsync(HttpMethod.Patch, $"/api/chat/sessions/{s}", new { title = $"t{step}" }, $"\"{await VersionAsync($"/api/chat/sessions/{s}")}\"");
                    break;
                case 5 when sessions.Count > 1:
                    var gone = sessions[random.Next(sessions.Count)];
                    sessions.Remove(gone);
                    await api.DeleteAsync($"/api/chat/sessions/{gone}");
                    break;
                case 6 or 7 when sessions.Count > 0:
                    var target = sessions[random.Next(sessions.Count)];
                    await api.PostBatchAsync(Enumerable.Range(0, random.Next(1, 6)).Select(i => ChatTestData.Message(target, $"{step}-{i}", $"step {step} message {i}")).ToArray());
                    break;
                default:
                    // The clients read a page now and then while the writes go on.
                    await fromInit.PullAsync(random.Next(1, 8));
                    await fromScratch.PullAsync(random.Next(1, 8));
                    break;
            }
        }

        await fromInit.CatchUpAsync(7);
        await fromScratch.CatchUpAsync(5);
        var server = await SimulatedClient.ServerStateAsync(api);

        Assert.Equal(server.OrderBy(r => r.Key.Id).ThenBy(r => r.Key.Type), fromScratch.Rows.OrderBy(r => r.Key.Id).ThenBy(r => r.Key.Type));
        Assert.Equal(server.OrderBy(r => r.Key.Id).ThenBy(r => r.Key.Type), fromInit.Rows.OrderBy(r => r.Key.Id).ThenBy(r => r.Key.Type));
        Assert.True(fromScratch.Pages > 5);
    }
}
