using System.Net;
using System.Text.Json;
using Catalyst.Tests.Unit.Chat;
using Catalyst.Tests.Unit.Infrastructure;

namespace Catalyst.Tests.Unit.Search;

/// <summary>GET /api/search: AND/OR, tags, dates, types, scoping, sorting and paging, and an index that follows every write.</summary>
public class SearchApiTests(PortalFactory portal)
{
    private static List<string?> Snippets(JsonElement json) =>
        json.GetProperty("data").EnumerateArray().Select(h => h.GetProperty("snippet").GetString()).ToList();

    private static async Task<JsonElement> SearchAsync(HttpClient api, string query)
    {
        var response = await api.GetAsync("/api/search?" + query);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.ReadJsonAsync();
    }

    /// <summary>A word no other test uses, so a user's hits are exactly the ones the test made.</summary>
    private static string Unique(string stem) => stem + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task AND_needs_every_word_and_OR_any_with_the_documents_holding_more_words_first()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var (apple, banana, cherry) = (Unique("apple"), Unique("banana"), Unique("cherry"));
        var session = await api.CreateSessionAsync();
        await api.PostBatchAsync(
            ChatTestData.Message(session, "1", $"{apple} {banana}"),
            ChatTestData.Message(session, "2", $"{apple} {cherry}"),
            ChatTestData.Message(session, "3", $"{banana} {cherry}"),
            ChatTestData.Message(session, "4", "nothing relevant"));

        var and = await SearchAsync(api, $"q={apple}+{banana}");
        var or = await SearchAsync(api, $"q={apple}+{banana}&op=or");
        var upper = await SearchAsync(api, $"q={apple.ToUpperInvariant()}");

        Assert.Equal([$"{apple} {banana}"], Snippets(and));
        Assert.Equal(1, and.GetProperty("meta").GetProperty("total").GetInt32());
        Assert.True(and.GetProperty("meta").GetProperty("totalIsExact").GetBoolean());
        Assert.Equal(3, or.GetProperty("meta").GetProperty("total").GetInt32());
        Assert.Equal($"{apple} {banana}", Snippets(or)[0]);
        Assert.Equal(2, upper.GetProperty("meta").GetProperty("total").GetInt32());
        var hit = and.GetProperty("data")[0];
        Assert.Equal("chat", hit.GetProperty("type").GetString());
        Assert.Equal(session, hit.GetProperty("sessionId").GetGuid());
        Assert.Equal("user", hit.GetProperty("role").GetString());
        Assert.True(hit.GetProperty("score").GetDouble() > 0);
    }

    [Fact]
    public async Task User_A_never_sees_user_B_s_hits_and_an_admin_sees_both()
    {
        var alice = await portal.CreateUserAsync("alice");
        var bob = await portal.CreateUserAsync("bob");
        var admin = await portal.CreateUserAsync("admin", admin: true);
        var word = Unique("secret");
        foreach (var user in new[] { alice, bob })
        {
            var api = portal.CreateApiClient(user.Token);
            await api.PostBatchAsync(ChatTestData.Message(await api.CreateSessionAsync(), "m", $"{word} of {user.Email}"));
            await api.PostJsonAsync("/api/projects", new { name = $"{word} project", description = user.Email });
        }

        var asAlice = await SearchAsync(portal.CreateApiClient(alice.Token), $"q={word}");
        var asAdmin = await SearchAsync(portal.CreateApiClient(admin.Token), $"q={word}");

        Assert.Equal(2, asAlice.GetProperty("meta").GetProperty("total").GetInt32());
        Assert.All(asAlice.GetProperty("data").EnumerateArray(), h => Assert.Equal(alice.Id, h.GetProperty("ownerId").GetGuid()));
        Assert.DoesNotContain(bob.Email, asAlice.ToString(), StringComparison.Ordinal);
        Assert.Equal(4, asAdmin.GetProperty("meta").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Types_tags_and_dates_narrow_the_hits()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var word = Unique("kiwi");
        var session = await api.CreateSessionAsync();
        await api.PostBatchAsync(
            ChatTestData.Message(session, "jan", $"{word} in january", createdAt: new DateTime(2026, 1, 15, 0, 0, 0, DateTimeKind.Utc)),
            ChatTestData.Message(session, "feb", $"{word} in february", createdAt: new DateTime(2026, 2, 15, 0, 0, 0, DateTimeKind.Utc)),
            ChatTestData.Message(session, "mar", $"{word} in march", createdAt: new DateTime(2026, 3, 15, 0, 0, 0, DateTimeKind.Utc)));
        await api.PostJsonAsync("/api/projects", new { name = $"{word} tagged", tags = new[] { "Fruit", "green" } });
        await api.PostJsonAsync("/api/projects", new { name = $"{word} untagged" });

        var projects = await SearchAsync(api, $"q={word}&types=project");
        var chats = await SearchAsync(api, $"q={word}&types=chat");
        var tagged = await SearchAsync(api, $"q={word}&tags=fruit");
        var bothTags = await SearchAsync(api, $"q={word}&tags=fruit,GREEN");
        var onlyTags = await SearchAsync(api, $"tags=fruit,green&types=project");
        var missingTag = await SearchAsync(api, $"q={word}&tags=fruit,red");
        var february = await SearchAsync(api, $"q={word}&types=chat&from=2026-02-01&to=2026-02-28");
        var fromFeb = await SearchAsync(api, $"q={word}&types=chat&from=2026-02-01T00:00:00Z&sort=recent");

        Assert.Equal(2, projects.GetProperty("meta").GetProperty("total").GetInt32());
        Assert.Equal(3, chats.GetProperty("meta").GetProperty("total").GetInt32());
        Assert.Equal([$"{word} tagged"], tagged.GetProperty("data").EnumerateArray().Select(h => h.GetProperty("title").GetString()));
        Assert.Equal(1, bothTags.GetProperty("meta").GetProperty("total").GetInt32());
        Assert.Contains($"{word} tagged", onlyTags.GetProperty("data").EnumerateArray().Select(h => h.GetProperty("title").GetString()));
        Assert.Equal(0, missingTag.GetProperty("meta").GetProperty("total").GetInt32());
        Assert.Equal([$"{word} in february"], Snippets(february));
        Assert.Equal([$"{word} in march", $"{word} in february"], Snippets(fromFeb));
    }

    [Fact]
    public async Task Recent_sorts_by_date_and_pages_do_not_overlap()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var word = Unique("plum");
        var session = await api.CreateSessionAsync();
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        await api.PostBatchAsync(Enumerable.Range(0, 25).Select(i => ChatTestData.Message(session, $"m{i}",
            $"{word} {string.Join(' ', Enumerable.Repeat("pad", i % 7))} number {i}", createdAt: start.AddHours(i))).ToArray());

        var first = await SearchAsync(api, $"q={word}&sort=recent&pageSize=10");
        var second = await SearchAsync(api, $"q={word}&sort=recent&pageSize=10&page=2");
        var third = await SearchAsync(api, $"q={word}&sort=recent&pageSize=10&page=3");
        var relevance = await SearchAsync(api, $"q={word}&pageSize=100");

        var dates = new[] { first, second, third }.SelectMany(p => p.GetProperty("data").EnumerateArray().Select(h => h.GetProperty("at").GetDateTime())).ToList();
        Assert.Equal(25, dates.Distinct().Count());
        Assert.Equal(dates.OrderDescending(), dates);
        Assert.Equal(25, first.GetProperty("meta").GetProperty("total").GetInt32());
        var scores = relevance.GetProperty("data").EnumerateArray().Select(h => h.GetProperty("score").GetDouble()).ToList();
        Assert.Equal(scores.OrderDescending(), scores);
        // The shortest messages weigh the word most; the newest of those comes first.
        Assert.EndsWith("number 21", Snippets(relevance)[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_index_follows_renames_and_deletes()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var (before, after, gone) = (Unique("before"), Unique("after"), Unique("gone"));
        var created = await api.PostJsonAsync("/api/projects", new { name = $"{before} name" });
        var project = (await created.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        var session = await api.CreateSessionAsync();
        await api.PostBatchAsync(ChatTestData.Message(session, "x", $"{gone} message"));
        Assert.Equal(1, (await SearchAsync(api, $"q={gone}")).GetProperty("meta").GetProperty("total").GetInt32());

        await api.SendJsonAsync(HttpMethod.Put, $"/api/projects/{project}", new { name = $"{after} name" }, "\"1\"");
        await api.DeleteAsync($"/api/chat/sessions/{session}");

        Assert.Equal(0, (await SearchAsync(api, $"q={before}")).GetProperty("meta").GetProperty("total").GetInt32());
        Assert.Equal(1, (await SearchAsync(api, $"q={after}")).GetProperty("meta").GetProperty("total").GetInt32());
        Assert.Equal(0, (await SearchAsync(api, $"q={gone}")).GetProperty("meta").GetProperty("total").GetInt32());
        await api.DeleteAsync($"/api/projects/{project}");
        Assert.Equal(0, (await SearchAsync(api, $"q={after}")).GetProperty("meta").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Totals_are_exact_up_to_the_counting_limit_and_marked_as_a_lower_bound_above_it()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var word = Unique("many");
        var session = await api.CreateSessionAsync();
        for (var batch = 0; batch < 3; batch++)
            await api.PostBatchAsync(Enumerable.Range(0, 400).Select(i => ChatTestData.Message(session, $"{batch}-{i}", $"{word} {i}")).ToArray());

        var json = await SearchAsync(api, $"q={word}");

        Assert.Equal(1000, json.GetProperty("meta").GetProperty("total").GetInt32());
        Assert.False(json.GetProperty("meta").GetProperty("totalIsExact").GetBoolean());
        Assert.Equal(20, json.GetProperty("data").GetArrayLength());
    }
}
