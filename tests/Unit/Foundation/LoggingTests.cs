using System.Net;
using Catalyst.Tests.Unit.Infrastructure;

namespace Catalyst.Tests.Unit.Foundation;

/// <summary>SPEC §4: request logging with correlation id and user id; tokens, passwords and secrets never in the logs.</summary>
public class LoggingTests
{
    [Fact]
    public async Task Requests_are_logged_with_correlation_and_user_ids_but_never_a_token_or_password()
    {
        await using var portal = new PortalFactory(new Dictionary<string, string?> { ["Serilog:MinimumLevel:Default"] = "Verbose" });
        const string password = "Secret-Pass-4-Logs!";
        const string wrongPassword = "Wrong-Secret-4-Logs!";
        var admin = await portal.AdminAsync();
        var created = await portal.CreateApiClient(admin.Token).PostJsonAsync("/api/admin/users", new { email = $"logged-{Guid.NewGuid():N}@test.local", password });
        var email = (await created.ReadJsonAsync()).GetProperty("data").GetProperty("email").GetString()!;
        var userId = (await created.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();

        var issued = await portal.CreateApiClient().PostJsonAsync("/api/auth/token", new { email, password, name = "logged" });
        var token = (await issued.ReadJsonAsync()).GetProperty("data").GetProperty("token").GetString()!;
        await portal.CreateApiClient().PostJsonAsync("/api/auth/token", new { email, password = wrongPassword, name = "refused" });
        var api = portal.CreateApiClient(token);
        using (var traced = new HttpRequestMessage(HttpMethod.Get, "/api/projects"))
        {
            traced.Headers.Add("X-Correlation-Id", "logging-test-correlation");
            Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(traced)).StatusCode);
        }
        await portal.CreateApiClient().GetAsync($"/api/projects?access_token={token}");
        var browser = portal.CreateBrowser();
        await browser.SignInOrFailAsync(email, password);
        await browser.SignInAsync(email, wrongPassword);
        var tokensPage = await browser.PostWithTokenFromAsync("/Account/Tokens", "/Account/Tokens?handler=Create", new Dictionary<string, string> { ["Input.Name"] = "page token" });
        var pageToken = (await Forms.ParseAsync(tokensPage)).QuerySelector("#new-token-value")!.TextContent.Trim();

        // The request log of the API call is written when its response completes: wait for it.
        var logs = await Poll.UntilAsync(() => Task.FromResult(PortalLogs.ReadAll(Path.Combine(portal.DataDirectory, "logs"))),
            text => text.Contains("logging-test-correlation", StringComparison.Ordinal) && text.Contains("/Account/Tokens", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "the request logs to reach the files");

        var line = logs.Split('\n').Single(l => l.Contains("logging-test-correlation", StringComparison.Ordinal) && l.Contains("\"@mt\":\"HTTP {RequestMethod}", StringComparison.Ordinal));
        Assert.Contains("\"RequestPath\":\"/api/projects\"", line, StringComparison.Ordinal);
        Assert.Contains("\"StatusCode\":200", line, StringComparison.Ordinal);
        Assert.True(line.Contains(userId.ToString(), StringComparison.Ordinal), line);
        foreach (var secret in new[] { token, token["cat_".Length..], pageToken, pageToken["cat_".Length..], password, wrongPassword, admin.Token })
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
    }
}
