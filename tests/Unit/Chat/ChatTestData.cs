using System.Net;
using System.Text.Json;
using Catalyst.Tests.Unit.Infrastructure;

namespace Catalyst.Tests.Unit.Chat;

/// <summary>Builders shared by the chat, sync and search tests: sessions and message batches through the API.</summary>
public static class ChatTestData
{
    public static async Task<Guid> CreateSessionAsync(this HttpClient api, string title = "A session", Guid? projectId = null)
    {
        var response = await api.PostJsonAsync("/api/chat/sessions", new { title, projectId });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
    }

    public static object Message(Guid sessionId, string clientId, string content, string role = "user", DateTime? createdAt = null) =>
        new { clientId, sessionId, role, content, createdAt };

    public static async Task<JsonElement> PostBatchAsync(this HttpClient api, params object[] messages)
    {
        var response = await api.PostJsonAsync("/api/chat/messages/batch", new { messages });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.ReadJsonAsync()).GetProperty("data");
    }
}
