using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Catalyst.Data.Audit;
using Catalyst.Data.Common;
using Catalyst.Data.Deployments;
using Catalyst.Data.Secrets;

namespace Catalyst.Data.Mcp;

/// <param name="Ok">Whether the server answered the handshake with a 2xx.</param>
/// <param name="ServerName">The <c>serverInfo.name</c> of an http server's <c>initialize</c> answer, when it gave one.</param>
public sealed record McpConnectionResult(bool Ok, int? StatusCode, string? ServerName, string? Error, int DurationMs);

/// <summary>
/// "Test connection" for an http or sse MCP server: the one place besides deployments where a
/// credential's plain value leaves the vault (the read is audited). An http server gets a JSON-RPC
/// <c>initialize</c> POST, an sse server a GET of its event stream; either way through the
/// deployments' SSRF-guarded client, so admins cannot probe the internal network with it.
/// A stdio server runs on the user's machine and cannot be tested from here.
/// </summary>
public sealed class McpConnectionTester(McpServerService servers, SecretVault vault, EndpointGuard guard, IHttpClientFactory clients, AuditLog audit,
    CatalystDbContext db, TimeProvider time)
{
    public const string PurposeOfCredentialRead = "mcp connection test";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private const int MaxAnswerBytes = 64 * 1024;

    public async Task<McpConnectionResult> TestAsync(Actor actor, Guid id, CancellationToken ct)
    {
        var details = await servers.GetAsync(actor, id, ct);
        var server = details.Server;
        if (server.IsDeleted)
            throw new NotFoundException("MCP server");
        if (server.Transport == McpTransport.Stdio)
            throw ValidationFailedException.For("transport", "A stdio server runs on the user's machine; only http and sse servers can be tested from here.");
        var endpoint = await guard.CheckAsync(server.Endpoint, ct);

        var result = await SendAsync(actor, server, details.Credential?.Id, endpoint, ct);
        audit.Record(actor, "mcp.test", nameof(McpServer), server.Id, new { server.Name, result.Ok, result.StatusCode, result.Error });
        await db.SaveChangesAsync(ct);
        return result;
    }

    private async Task<McpConnectionResult> SendAsync(Actor actor, McpServer server, Guid? credentialId, Uri endpoint, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        int Elapsed() => (int)time.GetElapsedTime(started).TotalMilliseconds;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        try
        {
            using var request = server.Transport == McpTransport.Http
                ? new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(InitializeRequest, Encoding.UTF8, "application/json") }
                : new HttpRequestMessage(HttpMethod.Get, endpoint);
            request.Headers.Accept.ParseAdd("application/json");
            request.Headers.Accept.ParseAdd("text/event-stream");
            request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Catalyst", "1.0"));
            if (credentialId is { } credential)
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await vault.RevealAsync(credential, PurposeOfCredentialRead, actor, ct));

            using var response = await clients.CreateClient(DeploymentDelivery.HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
                return new McpConnectionResult(false, status, null, $"The server answered {status} {response.ReasonPhrase}".TrimEnd() + ".", Elapsed());
            if (server.Transport == McpTransport.Sse)
                return response.Content.Headers.ContentType?.MediaType == "text/event-stream"
                    ? new McpConnectionResult(true, status, null, null, Elapsed())
                    : new McpConnectionResult(false, status, null, "The server did not answer with an event stream (text/event-stream).", Elapsed());
            return new McpConnectionResult(true, status, ServerNameOf(await ReadBoundedAsync(response, timeout.Token)), null, Elapsed());
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new McpConnectionResult(false, null, null, $"No answer within {Timeout.TotalSeconds:0} s.", Elapsed());
        }
        catch (HttpRequestException ex)
        {
            var refused = FindRefusal(ex);
            return new McpConnectionResult(false, null, null, refused?.Message ?? "Network error: " + (ex.InnerException?.Message ?? ex.Message), Elapsed());
        }
    }

    private const string InitializeRequest =
        """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"Catalyst connection test","version":"1.0"}}}""";

    private static async Task<string> ReadBoundedAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[MaxAnswerBytes];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), ct)) > 0)
        {
            read += n;
            // An event stream stays open: the first event is enough.
            if (buffer.AsSpan(0, read).IndexOf("\n\n"u8) >= 0)
                break;
        }
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    /// <summary>The server's name from a JSON answer or the first <c>data:</c> line of an event stream; null when there is none.</summary>
    private static string? ServerNameOf(string answer)
    {
        var json = answer.TrimStart().StartsWith('{') ? answer
            : answer.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("data:", StringComparison.Ordinal))?["data:".Length..];
        if (json is null)
            return null;
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.TryGetProperty("result", out var result) && result.TryGetProperty("serverInfo", out var info)
                && info.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
                ? name.GetString() is { Length: > 200 } longName ? longName[..200] : name.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static EndpointRefusedException? FindRefusal(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
            if (ex is EndpointRefusedException refused)
                return refused;
        return null;
    }
}
