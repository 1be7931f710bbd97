using System.Net;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Tests.Unit.Marketplace;

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

    [Fact]
    public async Task Download_token_paths_are_redacted_in_every_log_line()
    {
        await using var portal = new PortalFactory(new Dictionary<string, string?> { ["Serilog:MinimumLevel:Default"] = "Verbose" });
        var listing = await portal.PublishedAsync(price: 0);
        var fan = portal.CreateApiClient((await portal.CreateUserAsync("fan")).Token);
        var url = await fan.DownloadUrlAsync(listing.ProjectId);
        var token = url[(url.LastIndexOf('/') + 1)..];
        var anonymous = portal.CreateApiClient();

        // A download, a refused second use (its rejection is logged too) and a HEAD.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await anonymous.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, url))).StatusCode);

        var logs = await Poll.UntilAsync(() => Task.FromResult(PortalLogs.ReadAll(Path.Combine(portal.DataDirectory, "logs"))),
            text => text.Split('\n').Count(l => l.Contains("\"@mt\":\"HTTP {RequestMethod}", StringComparison.Ordinal) && l.Contains("/api/marketplace/download/", StringComparison.Ordinal)) >= 3,
            TimeSpan.FromSeconds(20), "the download requests to reach the log files");

        Assert.DoesNotContain(token, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(token[..24], logs, StringComparison.Ordinal);
        Assert.Contains("\"RequestPath\":\"/api/marketplace/download/[redacted]\"", logs, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/marketplace/download/CfDJ8secret", "/api/marketplace/download/[redacted]")]
    [InlineData("GET https://host/api/marketplace/download/CfDJ8secret?x=1 then /api/marketplace/download/CfDJ8other", "GET https://host/api/marketplace/download/[redacted]?x=1 then /api/marketplace/download/[redacted]")]
    [InlineData("/API/Marketplace/Download/CfDJ8secret/more", "/API/Marketplace/Download/[redacted]/more")]
    [InlineData("/api/marketplace/projects/1", "/api/marketplace/projects/1")]
    public void A_download_token_in_any_text_is_redacted(string text, string expected) =>
        Assert.Equal(expected, Catalyst.Portal.Infrastructure.SecretPaths.Redact(text));

    [Fact]
    public void The_redaction_reaches_nested_log_properties()
    {
        const string path = "/api/marketplace/download/CfDJ8secret";
        var logEvent = new Serilog.Events.LogEvent(DateTimeOffset.UtcNow, Serilog.Events.LogEventLevel.Information, null,
            new Serilog.Parsing.MessageTemplateParser().Parse("{RequestPath} {Scope} {Request} {Headers} {Count}"),
        [
            new("RequestPath", new Serilog.Events.ScalarValue(path)),
            new("Scope", new Serilog.Events.SequenceValue([new Serilog.Events.ScalarValue("outer"), new Serilog.Events.ScalarValue(path)])),
            new("Request", new Serilog.Events.StructureValue([new("Path", new Serilog.Events.ScalarValue(new Microsoft.AspNetCore.Http.PathString(path)))])),
            new("Headers", new Serilog.Events.DictionaryValue([new(new Serilog.Events.ScalarValue("Referer"), new Serilog.Events.ScalarValue("https://x" + path))])),
            new("Count", new Serilog.Events.ScalarValue(3)),
        ]);

        new Catalyst.Portal.Infrastructure.SecretPaths().Enrich(logEvent, null!);

        using var rendered = new StringWriter();
        new Serilog.Formatting.Compact.CompactJsonFormatter().Format(logEvent, rendered);
        Assert.DoesNotContain("CfDJ8secret", rendered.ToString(), StringComparison.Ordinal);
        Assert.Contains("\"Count\":3", rendered.ToString(), StringComparison.Ordinal);
        Assert.Contains("outer", rendered.ToString(), StringComparison.Ordinal);
    }
}
