using System.Net;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Chat;

public class ChatApiTests(PortalFactory portal)
{
    [Fact]
    public async Task A_session_is_created_with_201_location_and_etag_and_read_back()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);

        var response = await api.PostJsonAsync("/api/chat/sessions", new { title = "  Planning  " });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var data = (await response.ReadJsonAsync()).GetProperty("data");
        var id = data.GetProperty("id").GetGuid();
        Assert.Equal($"/api/chat/sessions/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", response.Headers.ETag?.ToString());
        Assert.Equal("Planning", data.GetProperty("title").GetString());
        Assert.Equal(0, data.GetProperty("messageCount").GetInt32());
        Assert.Equal(user.Id, data.GetProperty("userId").GetGuid());
        var fetched = await api.GetAsync($"/api/chat/sessions/{id}");
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/api/chat/sessions/{id}");
        conditional.Headers.TryAddWithoutValidation("If-None-Match", "\"1\"");
        Assert.Equal(HttpStatusCode.NotModified, (await api.SendAsync(conditional)).StatusCode);
    }

    [Fact]
    public async Task Patch_renames_with_If_Match_and_answers_428_without_and_412_when_stale()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var id = await api.CreateSessionAsync("Old name");

        var missing = await api.SendJsonAsync(HttpMethod.Patch, $"/api/chat/sessions/{id}", new { title = "x" });
        var renamed = await api.SendRawAsync(HttpMethod.Patch, $"/api/chat/sessions/{id}", "{\"title\":\"New name\"}", "application/merge-patch+json", "\"1\"");
        var stale = await api.SendJsonAsync(HttpMethod.Patch, $"/api/chat/sessions/{id}", new { title = "Lost" }, "\"1\"");

        await missing.AssertProblemAsync(HttpStatusCode.PreconditionRequired, "precondition_required");
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal("\"2\"", renamed.Headers.ETag?.ToString());
        Assert.Equal("New name", (await renamed.ReadJsonAsync()).GetProperty("data").GetProperty("title").GetString());
        await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed, "version_conflict");
        Assert.Equal("\"2\"", stale.Headers.ETag?.ToString());
    }

    [Fact]
    public async Task A_session_links_to_own_projects_only_and_patch_null_detaches()
    {
        var user = await portal.CreateUserAsync();
        var other = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var mine = (await (await api.PostJsonAsync("/api/projects", new { name = "Mine" })).ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        var theirs = (await (await portal.CreateApiClient(other.Token).PostJsonAsync("/api/projects", new { name = "Theirs" })).ReadJsonAsync())
            .GetProperty("data").GetProperty("id").GetGuid();

        var refused = await api.PostJsonAsync("/api/chat/sessions", new { title = "t", projectId = theirs });
        var id = await api.CreateSessionAsync("linked", mine);
        var detached = await api.SendRawAsync(HttpMethod.Patch, $"/api/chat/sessions/{id}", "{\"projectId\": null}", ifMatch: "\"1\"");

        var problem = await refused.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("projectId", out _));
        var data = (await detached.ReadJsonAsync()).GetProperty("data");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, data.GetProperty("projectId").ValueKind);
        Assert.Equal("linked", data.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Deleting_a_project_detaches_its_sessions_and_keeps_their_messages()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var project = (await (await api.PostJsonAsync("/api/projects", new { name = "Doomed" })).ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        var session = await api.CreateSessionAsync("linked", project);
        await api.PostBatchAsync(ChatTestData.Message(session, "a", "kept"));

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/projects/{project}")).StatusCode);

        var data = (await (await api.GetAsync($"/api/chat/sessions/{session}")).ReadJsonAsync()).GetProperty("data");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, data.GetProperty("projectId").ValueKind);
        Assert.Equal(1, data.GetProperty("messageCount").GetInt32());
    }

    [Fact]
    public async Task Delete_removes_the_session_and_its_messages()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var id = await api.CreateSessionAsync();
        await api.PostBatchAsync(ChatTestData.Message(id, "a", "hello"), ChatTestData.Message(id, "b", "world"));

        var stale = await api.SendJsonAsync(HttpMethod.Delete, $"/api/chat/sessions/{id}", null, "\"1\"");
        var deleted = await api.DeleteAsync($"/api/chat/sessions/{id}");

        await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed, "version_conflict");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await (await api.GetAsync($"/api/chat/sessions/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(0, await portal.WithDbAsync(db => db.ChatMessages.CountAsync(m => m.SessionId == id, TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task The_session_list_is_paged_most_recent_first_and_searchable_by_title()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var first = await api.CreateSessionAsync("Alpha talk");
        await api.CreateSessionAsync("Beta talk");
        await api.CreateSessionAsync("Gamma");
        await api.PostBatchAsync(ChatTestData.Message(first, "bump", "now the most recent"));

        var page = await (await api.GetAsync("/api/chat/sessions?pageSize=2")).ReadJsonAsync();
        var search = await (await api.GetAsync("/api/chat/sessions?q=TALK")).ReadJsonAsync();

        Assert.Equal(["Alpha talk", "Gamma"], page.GetProperty("data").EnumerateArray().Select(s => s.GetProperty("title").GetString()));
        Assert.Equal(3, page.GetProperty("meta").GetProperty("total").GetInt32());
        Assert.Equal(2, search.GetProperty("meta").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Messages_page_backwards_in_time_with_the_cursor_oldest_first_within_a_page()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var id = await api.CreateSessionAsync();
        var start = new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
        // Seven messages, two pairs sharing an instant: the cursor must not lose or repeat either.
        var times = new[] { 0, 1, 1, 2, 3, 3, 4 };
        await api.PostBatchAsync(times.Select((t, i) => ChatTestData.Message(id, $"m{i}", $"message {i}", i % 2 == 0 ? "user" : "assistant", start.AddMinutes(t))).ToArray());

        var seen = new List<string>();
        string? before = null;
        var pages = 0;
        do
        {
            var json = await (await api.GetAsync($"/api/chat/sessions/{id}/messages?limit=3" + (before is null ? "" : $"&before={Uri.EscapeDataString(before)}"))).ReadJsonAsync();
            var contents = json.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("content").GetString()!).ToList();
            var times2 = json.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("createdAt").GetDateTime()).ToList();
            Assert.Equal(times2.Order(), times2);
            seen.InsertRange(0, contents);
            before = json.GetProperty("meta").GetProperty("hasMore").GetBoolean() ? json.GetProperty("meta").GetProperty("cursor").GetString() : null;
            pages++;
        }
        while (before is not null);

        Assert.Equal(3, pages);
        Assert.Equal(7, seen.Distinct().Count());
        Assert.Equal("message 6", seen[^1]);
        var byTime = await (await api.GetAsync($"/api/chat/sessions/{id}/messages?before={Uri.EscapeDataString(start.AddMinutes(2).ToString("O"))}")).ReadJsonAsync();
        Assert.Equal(["message 0", "message 1", "message 2"], byTime.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("content").GetString()).Order());
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=201")]
    [InlineData("before=not-a-cursor")]
    public async Task Bad_message_paging_answers_400(string query)
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var id = await api.CreateSessionAsync();

        await (await api.GetAsync($"/api/chat/sessions/{id}/messages?{query}")).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task The_default_message_page_is_50_and_200_is_the_most()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var id = await api.CreateSessionAsync();
        await api.PostBatchAsync(Enumerable.Range(0, 210).Select(i => ChatTestData.Message(id, $"c{i}", $"m {i}")).ToArray());

        var defaults = await (await api.GetAsync($"/api/chat/sessions/{id}/messages")).ReadJsonAsync();
        var most = await (await api.GetAsync($"/api/chat/sessions/{id}/messages?limit=200")).ReadJsonAsync();

        Assert.Equal(50, defaults.GetProperty("data").GetArrayLength());
        Assert.Equal(50, defaults.GetProperty("meta").GetProperty("limit").GetInt32());
        Assert.Equal(200, most.GetProperty("data").GetArrayLength());
        Assert.True(most.GetProperty("meta").GetProperty("hasMore").GetBoolean());
    }
}
