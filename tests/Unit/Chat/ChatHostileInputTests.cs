using System.Net;
using System.Text;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Chat;

/// <summary>SPEC §4 and §16 on the chat and sync endpoints: hostile bodies answer 4xx problem+json and write nothing.</summary>
public class ChatHostileInputTests(PortalFactory portal)
{
    private async Task<(HttpClient Api, Guid Session, TestUser User)> ArrangeAsync()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        return (api, await api.CreateSessionAsync("Existing"), user);
    }

    private async Task AssertNothingWrittenAsync(TestUser user, Guid session)
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(0, await portal.WithDbAsync(db => db.ChatMessages.CountAsync(m => m.SessionId == session, ct)));
        var sessions = await portal.WithDbAsync(db => db.ChatSessions.AsNoTracking().Where(s => s.UserId == user.Id).ToListAsync(ct));
        Assert.Equal("Existing", Assert.Single(sessions).Title);
        Assert.Equal(1, sessions[0].Version);
    }

    private static string Deep(int depth) => string.Concat(Enumerable.Repeat("[", depth)) + string.Concat(Enumerable.Repeat("]", depth));

    public static TheoryData<string, string> MalformedBodies() => new()
    {
        { "truncated", "{\"messages\": [{\"clientId\": \"a\"" },
        { "not JSON", "messages=1" },
        { "messages not a list", "{\"messages\": \"many\"}" },
        { "content a number", "{\"messages\": [{\"clientId\":\"a\",\"sessionId\":\"00000000-0000-0000-0000-000000000000\",\"role\":\"user\",\"content\":5}]}" },
        { "nested 10,000 deep", "{\"messages\": " + Deep(10_000) + "}" },
        { "nested 10,000 deep in a message", "{\"messages\": [{\"content\": " + Deep(10_000) + "}]}" },
        { "invalid UTF-8", "{\"messages\": [{\"content\": \"\u00ff\"}]}" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Malformed_batches_answer_400_and_write_nothing(string description, string body)
    {
        var (api, session, user) = await ArrangeAsync();
        var bytes = Encoding.UTF8.GetBytes(body.Replace("00000000-0000-0000-0000-000000000000", session.ToString(), StringComparison.Ordinal));
        if (description == "invalid UTF-8")
            bytes = [.. bytes.Where(b => b != 0xC3)]; // a lone continuation byte

        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json");
        var response = await api.PostAsync("/api/chat/messages/batch", content);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "malformed_json");
        await AssertNothingWrittenAsync(user, session);
    }

    [Fact]
    public async Task A_lone_surrogate_in_content_is_refused_for_that_row()
    {
        var (api, session, user) = await ArrangeAsync();
        var body = "{\"messages\": [{\"clientId\":\"a\",\"sessionId\":\"" + session + "\",\"role\":\"user\",\"content\":\"broken \\ud800 text\"}]}";

        var response = await api.SendRawAsync(HttpMethod.Post, "/api/chat/messages/batch", body);

        if (response.StatusCode == HttpStatusCode.OK)
        {
            var data = (await response.ReadJsonAsync()).GetProperty("data");
            Assert.Equal(0, data.GetProperty("created").GetInt32());
            Assert.Equal("invalid_text", data.GetProperty("errors")[0].GetProperty("code").GetString());
        }
        else
            await response.AssertProblemAsync(HttpStatusCode.BadRequest, "malformed_json");
        await AssertNothingWrittenAsync(user, session);
    }

    [Theory]
    [InlineData("{\"title\": \"bad \\udc00 title\"}")]
    [InlineData("{\"title\": \"control \\u0007 char\"}")]
    [InlineData("{\"title\": \"\"}")]
    [InlineData("{\"title\": null}")]
    public async Task Bad_titles_answer_400_and_write_nothing(string body)
    {
        var (api, session, user) = await ArrangeAsync();

        var created = await api.SendRawAsync(HttpMethod.Post, "/api/chat/sessions", body);
        var patched = await api.SendRawAsync(HttpMethod.Patch, $"/api/chat/sessions/{session}", body, ifMatch: "\"1\"");

        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        Assert.Equal("application/problem+json", created.Content.Headers.ContentType?.MediaType);
        if (!body.Contains("null", StringComparison.Ordinal))
            Assert.Equal(HttpStatusCode.BadRequest, patched.StatusCode);
        await AssertNothingWrittenAsync(user, session);
    }

    [Fact]
    public async Task A_huge_title_answers_400_and_a_body_over_the_limit_413()
    {
        var (api, session, user) = await ArrangeAsync();

        var longTitle = await api.PostJsonAsync("/api/chat/sessions", new { title = new string('t', 201) });
        // With a Content-Length, as browsers send it (chunked bodies are cut by Kestrel, see the project tests).
        using var content = new ByteArrayContent(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
            new { messages = new[] { ChatTestData.Message(session, "big", new string('x', 1_100_000)) } }));
        content.Headers.ContentType = new("application/json");
        var huge = await api.PostAsync("/api/chat/messages/batch", content);

        await longTitle.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await huge.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        await AssertNothingWrittenAsync(user, session);
    }

    [Theory]
    [InlineData("/api/sync/changes?since=garbage", "validation_failed")]
    [InlineData("/api/sync/changes?limit=0", "validation_failed")]
    [InlineData("/api/sync/changes?limit=abc", "invalid_parameter")]
    [InlineData("/api/search?q=", "validation_failed")]
    [InlineData("/api/search?q=x&op=xor", "validation_failed")]
    [InlineData("/api/search?q=x&sort=oldest", "validation_failed")]
    [InlineData("/api/search?q=x&types=chat,spaceship", "validation_failed")]
    [InlineData("/api/search?q=x&from=tomorrowish", "validation_failed")]
    [InlineData("/api/search?q=x&from=2026-02-01&to=2026-01-01", "validation_failed")]
    [InlineData("/api/search?q=x&pageSize=101", "validation_failed")]
    [InlineData("/api/search?q=x&page=60&pageSize=20", "validation_failed")]
    [InlineData("/api/search?q=a+b+c+d+e+f+g+h+i", "validation_failed")]
    public async Task Bad_sync_and_search_parameters_answer_400(string url, string code)
    {
        var user = await portal.CreateUserAsync();

        await (await portal.CreateApiClient(user.Token).GetAsync(url)).AssertProblemAsync(HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task A_huge_query_answers_400()
    {
        var user = await portal.CreateUserAsync();

        var response = await portal.CreateApiClient(user.Token).GetAsync("/api/search?q=" + new string('q', 600));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }
}
