using System.Net;
using System.Text.Json;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Chat;

/// <summary>POST /api/chat/messages/batch: idempotent by clientId, validated row by row, good rows never lost.</summary>
public class ChatBatchTests(PortalFactory portal)
{
    private static Dictionary<string, Guid> Ids(JsonElement data) =>
        data.GetProperty("ids").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetGuid());

    private Task<int> CountAsync(Guid sessionId) =>
        portal.WithDbAsync(db => db.ChatMessages.CountAsync(m => m.SessionId == sessionId, TestContext.Current.CancellationToken));

    [Fact]
    public async Task The_same_batch_twice_creates_nothing_new_and_answers_the_same_ids()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var session = await api.CreateSessionAsync();
        var batch = Enumerable.Range(0, 15).Select(i => ChatTestData.Message(session, $"client-{i}", $"message number {i}", i % 2 == 0 ? "user" : "assistant")).ToArray();

        var first = await api.PostBatchAsync(batch);
        var replay = await api.PostBatchAsync(batch);

        Assert.Equal(15, first.GetProperty("created").GetInt32());
        Assert.Equal(0, first.GetProperty("existing").GetInt32());
        Assert.Equal(0, replay.GetProperty("created").GetInt32());
        Assert.Equal(15, replay.GetProperty("existing").GetInt32());
        Assert.Equal(Ids(first), Ids(replay));
        Assert.Empty(replay.GetProperty("errors").EnumerateArray());
        Assert.Equal(15, await CountAsync(session));
        var stored = (await (await api.GetAsync($"/api/chat/sessions/{session}")).ReadJsonAsync()).GetProperty("data");
        Assert.Equal(15, stored.GetProperty("messageCount").GetInt32());
    }

    [Fact]
    public async Task Concurrent_copies_of_one_batch_store_each_message_once()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var session = await api.CreateSessionAsync();
        var batch = Enumerable.Range(0, 20).Select(i => ChatTestData.Message(session, $"c{i}", $"concurrent {i}")).ToArray();

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => api.PostBatchAsync(batch)));

        Assert.All(results, r => Assert.Equal(Ids(results[0]), Ids(r)));
        Assert.Equal(20, results.Sum(r => r.GetProperty("created").GetInt32()));
        Assert.Equal(20, await CountAsync(session));
    }

    [Fact]
    public async Task Bad_rows_are_refused_one_by_one_and_the_good_rows_of_the_batch_are_stored()
    {
        var user = await portal.CreateUserAsync();
        var other = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var session = await api.CreateSessionAsync();
        var othersSession = await portal.CreateApiClient(other.Token).CreateSessionAsync("Not yours");
        var body = new
        {
            messages = new object?[]
            {
                ChatTestData.Message(session, "good-1", "fine"),
                new { clientId = "", sessionId = session, role = "user", content = "x" },
                new { clientId = "bad-role", sessionId = session, role = "robot", content = "x" },
                new { clientId = "no-content", sessionId = session, role = "user", content = "" },
                new { clientId = "bad-session", sessionId = "nope", role = "user", content = "x" },
                ChatTestData.Message(othersSession, "foreign", "sneaky"),
                ChatTestData.Message(Guid.NewGuid(), "unknown", "lost"),
                new { clientId = "future", sessionId = session, role = "user", content = "x", createdAt = DateTime.UtcNow.AddDays(2) },
                new { clientId = "bad-date", sessionId = session, role = "user", content = "x", createdAt = "yesterday" },
                new { clientId = "too-long", sessionId = session, role = "user", content = new string('x', 32_001) },
                new { clientId = new string('c', 101), sessionId = session, role = "user", content = "x" },
                null,
                ChatTestData.Message(session, "good-2", "also fine", "tool"),
            },
        };

        var response = await api.PostJsonAsync("/api/chat/messages/batch", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var data = (await response.ReadJsonAsync()).GetProperty("data");
        Assert.Equal(2, data.GetProperty("created").GetInt32());
        Assert.Equal(["good-1", "good-2"], Ids(data).Keys.Order());
        var errors = data.GetProperty("errors").EnumerateArray().Select(e => (Index: e.GetProperty("index").GetInt32(), Code: e.GetProperty("code").GetString())).ToList();
        Assert.Equal(
            [(1, "client_id_required"), (2, "invalid_role"), (3, "content_required"), (4, "invalid_session_id"), (5, "session_not_found"),
             (6, "session_not_found"), (7, "invalid_created_at"), (8, "invalid_created_at"), (9, "content_too_long"), (10, "invalid_client_id"), (11, "invalid_message")],
            errors);
        Assert.Equal(2, await CountAsync(session));
        Assert.Equal(0, await CountAsync(othersSession));
    }

    [Fact]
    public async Task A_clientId_used_for_two_sessions_in_one_batch_is_refused_the_second_time()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var a = await api.CreateSessionAsync("a");
        var b = await api.CreateSessionAsync("b");

        var data = await api.PostBatchAsync(ChatTestData.Message(a, "same", "one"), ChatTestData.Message(a, "same", "one again"), ChatTestData.Message(b, "same", "two"));

        Assert.Equal(1, data.GetProperty("created").GetInt32());
        Assert.Equal(1, data.GetProperty("existing").GetInt32());
        Assert.Equal("duplicate_client_id", Assert.Single(data.GetProperty("errors").EnumerateArray()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_client_createdAt_is_kept_and_moves_lastMessageAt()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var session = await api.CreateSessionAsync();
        var at = new DateTime(2025, 6, 1, 8, 30, 15, 123, DateTimeKind.Utc);

        await api.PostBatchAsync(ChatTestData.Message(session, "offline", "written on a plane", createdAt: at));

        var message = (await (await api.GetAsync($"/api/chat/sessions/{session}/messages")).ReadJsonAsync()).GetProperty("data")[0];
        Assert.Equal(at, message.GetProperty("createdAt").GetDateTime().ToUniversalTime());
        Assert.Equal("user", message.GetProperty("role").GetString());
        var stored = (await (await api.GetAsync($"/api/chat/sessions/{session}")).ReadJsonAsync()).GetProperty("data");
        Assert.Equal(at, stored.GetProperty("lastMessageAt").GetDateTime().ToUniversalTime());
    }

    [Fact]
    public async Task More_than_500_messages_answer_400_and_store_nothing()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var session = await api.CreateSessionAsync();

        var response = await api.PostJsonAsync("/api/chat/messages/batch",
            new { messages = Enumerable.Range(0, 501).Select(i => ChatTestData.Message(session, $"c{i}", "x")).ToArray() });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("messages", out _));
        Assert.Equal(0, await CountAsync(session));
    }

    [Fact]
    public async Task Exactly_500_messages_are_accepted()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var session = await api.CreateSessionAsync();

        var data = await api.PostBatchAsync(Enumerable.Range(0, 500).Select(i => ChatTestData.Message(session, $"c{i}", $"word{i % 17} filler text")).ToArray());

        Assert.Equal(500, data.GetProperty("created").GetInt32());
        Assert.Equal(500, await CountAsync(session));
    }
}
