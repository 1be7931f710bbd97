using System.Net;
using Catalyst.Tests.Unit.Infrastructure;

namespace Catalyst.Tests.Unit.Chat;

/// <summary>The Chat pages: the sessions list with its htmx partial, the message search box, and a session's messages with roles.</summary>
public class ChatPageTests(PortalFactory portal)
{
    [Fact]
    public async Task The_chat_page_lists_sessions_and_the_search_box_finds_messages()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var word = "zebra" + Guid.NewGuid().ToString("N")[..8];
        var session = await api.CreateSessionAsync("Page session");
        await api.PostBatchAsync(ChatTestData.Message(session, "1", $"the {word} question"), ChatTestData.Message(session, "2", "an answer", "assistant"));
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var list = await browser.GetDocumentAsync("/Chat");
        using var htmx = new HttpRequestMessage(HttpMethod.Get, $"/Chat?q={word}");
        htmx.Headers.Add("HX-Request", "true");
        var partial = await browser.SendAsync(htmx);
        var partialHtml = await partial.Content.ReadAsStringAsync();
        var empty = await browser.GetDocumentAsync("/Chat?q=nothingmatchesthis");

        Assert.Contains("Page session", list.QuerySelector("[data-testid=chat-sessions]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("page", list.QuerySelector("nav a[href='/Chat']")?.GetAttribute("aria-current"));
        Assert.Equal(HttpStatusCode.OK, partial.StatusCode);
        Assert.DoesNotContain("<html", partialHtml, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"the {word} question", partialHtml, StringComparison.Ordinal);
        Assert.Contains($"/Chat/Session/{session}", partialHtml, StringComparison.Ordinal);
        Assert.NotNull(empty.QuerySelector("[data-testid=chat-no-hits]"));
    }

    [Fact]
    public async Task A_session_page_shows_messages_with_roles_and_pages_back_to_older_ones()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var session = await api.CreateSessionAsync("Long talk");
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        await api.PostBatchAsync(Enumerable.Range(0, 60).Select(i => ChatTestData.Message(session, $"m{i}", $"line <b>{i}</b>", i % 2 == 0 ? "user" : "assistant", start.AddMinutes(i))).ToArray());
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var page = await browser.GetDocumentAsync($"/Chat/Session/{session}");
        var items = page.QuerySelectorAll("[data-testid=messages] li");
        var older = page.QuerySelector("[data-testid=older-messages]")!.GetAttribute("href")!;
        var previous = await browser.GetDocumentAsync(older);

        Assert.Equal("Long talk · Catalyst", page.Title);
        Assert.Equal(50, items.Length);
        Assert.Equal("line <b>59</b>", items[^1].QuerySelector(".chat-content")!.TextContent); // encoded, never markup
        Assert.Equal(["Assistant", "User"], items.Select(i => i.QuerySelector(".badge")!.TextContent).Distinct().Order());
        Assert.Equal(10, previous.QuerySelectorAll("[data-testid=messages] li").Length);
        Assert.Null(previous.QuerySelector("[data-testid=older-messages]"));
    }
}
