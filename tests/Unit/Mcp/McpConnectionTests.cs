using System.Collections.Concurrent;
using System.Net;
using Catalyst.Data.Mcp;
using Catalyst.Tests.Unit.Deployments;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Catalyst.Tests.Unit.Mcp;

/// <summary>
/// "Test connection" of an MCP server: the credential goes to the server as a bearer token (an
/// audited read), private addresses are refused unless allowed, stdio servers cannot be tested.
/// </summary>
public class McpConnectionTests(DeliveryPortal fixture) : IClassFixture<DeliveryPortal>
{
    private PortalFactory Portal => fixture.Portal;

    /// <summary>An MCP server on loopback: POST /mcp answers an initialize result (or <see cref="Status"/>), GET /sse an event stream.</summary>
    private sealed class StubServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        public ConcurrentQueue<(string Method, string? Authorization, string Body)> Requests { get; } = new();
        public int Status { get; set; } = 200;
        public string BaseUrl { get; private set; } = "";

        private StubServer()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
            _app = builder.Build();
            _app.MapPost("/mcp", async (HttpContext http) =>
            {
                var body = await new StreamReader(http.Request.Body).ReadToEndAsync();
                Requests.Enqueue(("POST", http.Request.Headers.Authorization, body));
                http.Response.StatusCode = Status;
                if (Status == 200)
                    await http.Response.WriteAsJsonAsync(new { jsonrpc = "2.0", id = 1, result = new { protocolVersion = "2025-03-26", serverInfo = new { name = "stub files", version = "1" } } });
            });
            _app.MapGet("/sse", async (HttpContext http) =>
            {
                Requests.Enqueue(("GET", http.Request.Headers.Authorization, ""));
                http.Response.ContentType = "text/event-stream";
                await http.Response.WriteAsync("event: endpoint\ndata: /messages\n\n");
            });
        }

        public static async Task<StubServer> StartAsync()
        {
            var stub = new StubServer();
            await stub._app.StartAsync();
            stub.BaseUrl = stub._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
            return stub;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private static async Task<Guid> CreateAsync(HttpClient admin, string transport, string? endpoint = null, string? command = null, string? credential = null)
    {
        var response = await admin.PostJsonAsync("/api/admin/mcp-servers", new { name = $"Tested {Guid.NewGuid():N}"[..15], transport, endpoint, command, credential });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task An_http_server_gets_an_initialize_request_with_the_credential_and_the_read_is_audited()
    {
        await using var stub = await StubServer.StartAsync();
        var admin = await Portal.CreateUserAsync("mcp-tester", admin: true);
        var api = Portal.CreateApiClient(admin.Token);
        var id = await CreateAsync(api, "http", $"{stub.BaseUrl}/mcp", credential: "mcp-connection-credential-T3ST");

        var response = await api.PostAsync($"/api/admin/mcp-servers/{id}/test", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = (await response.ReadJsonAsync()).GetProperty("data");
        Assert.True(result.GetProperty("ok").GetBoolean(), result.ToString());
        Assert.Equal("stub files", result.GetProperty("serverName").GetString());
        var (method, authorization, body) = Assert.Single(stub.Requests);
        Assert.Equal("POST", method);
        Assert.Equal("Bearer mcp-connection-credential-T3ST", authorization);
        Assert.Contains("\"method\":\"initialize\"", body, StringComparison.Ordinal);
        var actions = await Portal.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.ActorId == admin.Id).Select(e => new { e.Action, e.Details }).ToListAsync(TestContext.Current.CancellationToken));
        Assert.Contains(actions, a => a.Action == "secret.read" && a.Details!.Contains(McpConnectionTester.PurposeOfCredentialRead, StringComparison.Ordinal));
        Assert.Contains(actions, a => a.Action == "mcp.test");
        Assert.DoesNotContain(actions, a => a.Details?.Contains("T3ST", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task An_sse_server_is_tested_by_opening_its_event_stream()
    {
        await using var stub = await StubServer.StartAsync();
        var api = Portal.CreateApiClient((await Portal.CreateUserAsync("mcp-tester", admin: true)).Token);
        var id = await CreateAsync(api, "sse", $"{stub.BaseUrl}/sse");

        var result = (await (await api.PostAsync($"/api/admin/mcp-servers/{id}/test", null)).ReadJsonAsync()).GetProperty("data");

        Assert.True(result.GetProperty("ok").GetBoolean(), result.ToString());
        Assert.Equal("GET", Assert.Single(stub.Requests).Method);
        Assert.Null(stub.Requests.Single().Authorization);
    }

    [Fact]
    public async Task A_refusing_server_gives_a_failed_result_with_its_status()
    {
        await using var stub = await StubServer.StartAsync();
        stub.Status = 401;
        var api = Portal.CreateApiClient((await Portal.CreateUserAsync("mcp-tester", admin: true)).Token);
        var id = await CreateAsync(api, "http", $"{stub.BaseUrl}/mcp", credential: "wrong-credential-0000");

        var result = (await (await api.PostAsync($"/api/admin/mcp-servers/{id}/test", null)).ReadJsonAsync()).GetProperty("data");

        Assert.False(result.GetProperty("ok").GetBoolean());
        Assert.Equal(401, result.GetProperty("statusCode").GetInt32());
        Assert.Contains("401", result.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stdio_server_cannot_be_tested_from_the_server()
    {
        var api = Portal.CreateApiClient((await Portal.CreateUserAsync("mcp-tester", admin: true)).Token);
        var id = await CreateAsync(api, "stdio", command: "npx -y server-files");

        var problem = await (await api.PostAsync($"/api/admin/mcp-servers/{id}/test", null)).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        Assert.True(problem.GetProperty("errors").TryGetProperty("transport", out _));
    }

    [Fact]
    public async Task The_portal_button_shows_the_result_next_to_the_server()
    {
        await using var stub = await StubServer.StartAsync();
        var admin = await Portal.CreateUserAsync("mcp-tester", admin: true);
        var id = await CreateAsync(Portal.CreateApiClient(admin.Token), "http", $"{stub.BaseUrl}/mcp", credential: "page-credential-value-PAGE");
        var browser = await Portal.CreateSignedInBrowserAsync(admin);

        var response = await browser.PostWithTokenFromAsync($"/Admin/Mcp/Edit/{id}", $"/Admin/Mcp/Edit/{id}?handler=Test");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("page-credential-value", html, StringComparison.Ordinal);
        var result = (await Forms.ParseAsync(response)).QuerySelector("[data-testid=connection-result]");
        Assert.Equal("true", result?.GetAttribute("data-ok"));
        Assert.Contains("stub files", result?.TextContent, StringComparison.Ordinal);
    }
}

/// <summary>
/// Without <c>AllowPrivateEndpoints</c>, an MCP server follows the deployments' URL rule: https to
/// public addresses only, refused when saved (nothing is created, no credential stored).
/// </summary>
public class McpConnectionGuardTests(PortalFactory portal)
{
    [Theory]
    [InlineData("http://127.0.0.1:9/mcp")]
    [InlineData("http://mcp.example.com/mcp")]
    [InlineData("https://localhost/mcp")]
    [InlineData("https://10.1.2.3/mcp")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    public async Task A_private_or_plain_http_endpoint_is_refused_when_saved(string endpoint)
    {
        var admin = await portal.CreateUserAsync("mcp-guarded", admin: true);
        var api = portal.CreateApiClient(admin.Token);
        var name = $"Guarded {Guid.NewGuid():N}"[..16];

        var problem = await (await api.PostJsonAsync("/api/admin/mcp-servers", new { name, transport = "http", endpoint, credential = "guarded-credential-1234" }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        Assert.True(problem.GetProperty("errors").TryGetProperty("endpoint", out _), problem.ToString());
        Assert.False(await portal.WithDbAsync(db => db.Set<Catalyst.Data.Mcp.McpServer>().AnyAsync(s => s.Name == name, TestContext.Current.CancellationToken)));
        Assert.False(await portal.WithDbAsync(db => db.AuditEntries.AnyAsync(e => e.Action == "secret.write" && e.ActorId == admin.Id, TestContext.Current.CancellationToken)));
    }
}
