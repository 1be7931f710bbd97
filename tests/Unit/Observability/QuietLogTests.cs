using System.Net;
using Catalyst.Portal.Infrastructure;
using Catalyst.Tests.Unit.Infrastructure;
using Serilog.Events;
using Serilog.Parsing;

namespace Catalyst.Tests.Unit.Observability;

/// <summary>
/// Issue 23 item 13: at Information the log holds the requests that matter — no line per static file
/// or health probe — and the console line names the request's correlation id.
/// </summary>
public class QuietLogTests
{
    [Fact]
    public async Task Static_files_and_health_probes_are_not_logged_at_information_but_pages_are()
    {
        await using var portal = new PortalFactory(new Dictionary<string, string?> { ["Serilog:MinimumLevel:Default"] = "Information" });
        var browser = portal.CreateBrowser();
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/css/site.css")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/js/charts.js")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/health/ready")).StatusCode);
        using (var marker = new HttpRequestMessage(HttpMethod.Get, "/Account/Login"))
        {
            marker.Headers.Add(CorrelationIdMiddleware.HeaderName, "quiet-logs-marker");
            Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(marker)).StatusCode);
        }

        // The marker request is the last one: once its line is in the file, the others' would be too.
        var logs = await Poll.UntilAsync(() => Task.FromResult(PortalLogs.ReadAll(Path.Combine(portal.DataDirectory, "logs"))),
            text => text.Contains("quiet-logs-marker", StringComparison.Ordinal), TimeSpan.FromSeconds(20), "the marker request's log line");

        var requestLines = logs.Split('\n').Where(l => l.Contains("\"@mt\":\"HTTP {RequestMethod}", StringComparison.Ordinal)).ToList();
        Assert.Contains(requestLines, l => l.Contains("\"RequestPath\":\"/Account/Login\"", StringComparison.Ordinal));
        foreach (var quiet in new[] { "/css/site.css", "/js/charts.js", "/health/live", "/health/ready" })
            Assert.DoesNotContain(requestLines, l => l.Contains($"\"RequestPath\":\"{quiet}\"", StringComparison.Ordinal));
    }

    [Fact]
    public void A_console_line_of_a_request_carries_its_correlation_id()
    {
        var template = new MessageTemplateParser().Parse("HTTP {RequestMethod} {RequestPath} responded {StatusCode}");
        var properties = new[]
        {
            new LogEventProperty("RequestMethod", new ScalarValue("GET")),
            new LogEventProperty("RequestPath", new ScalarValue("/api/projects")),
            new LogEventProperty("StatusCode", new ScalarValue(200)),
            new LogEventProperty("CorrelationId", new ScalarValue("abc-123")),
        };
        var formatter = new ConsoleLineFormatter();

        var correlated = Render(formatter, new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Information, null, template, properties));
        var outside = Render(formatter, new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Information, null, template, properties[..3]));

        Assert.Contains("(abc-123) HTTP GET /api/projects responded 200", correlated, StringComparison.Ordinal);
        Assert.DoesNotContain("()", outside, StringComparison.Ordinal);
        Assert.Contains("INF] HTTP GET", outside, StringComparison.Ordinal);
    }

    private static string Render(ConsoleLineFormatter formatter, LogEvent logEvent)
    {
        using var writer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        formatter.Format(logEvent, writer);
        return writer.ToString();
    }
}
