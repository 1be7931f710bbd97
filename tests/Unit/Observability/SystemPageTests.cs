using System.Net;
using System.Text.Json;
using Catalyst.Portal.Infrastructure;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Observability;

/// <summary>SPEC §14: the admin System page charts request rate, p95 latency and error rate per endpoint group, the job queue, the outbox, the cache and storage growth.</summary>
public class SystemPageTests(PortalFactory portal)
{
    [Theory]
    [InlineData("GET", "/api/projects/{id:guid}", "GET /api/projects/{id}")]
    [InlineData("POST", "/api/admin/mcp-servers/{id:guid}/restore", "POST /api/admin/mcp-servers/{id}/restore")]
    [InlineData("GET", "Websites/Details/{id?}", "GET /Websites/Details/{id?}")]
    [InlineData("GET", "/api/things/{id:int?}", "GET /api/things/{id?}")]
    [InlineData("GET", "/api/jobs/{page=1}/x", "GET /api/jobs/{page}/x")]
    [InlineData("GET", "/hangfire/{**path}", "GET /hangfire/{**path}")]
    [InlineData("GET", "", "GET /")]
    [InlineData("GET", null, RequestMetrics.Unrouted)]
    public void Requests_are_grouped_by_method_and_route_template(string method, string? route, string group) =>
        Assert.Equal(group, RequestMetrics.GroupOf(method, route));

    [Fact]
    public async Task Requests_made_show_up_per_endpoint_group_with_a_chart_for_each_measure()
    {
        var admin = await portal.CreateUserAsync("system", admin: true);
        var api = portal.CreateApiClient(admin.Token);
        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/projects")).StatusCode);
        var browser = await portal.CreateSignedInBrowserAsync(admin);

        var page = await Poll.UntilAsync(() => browser.GetDocumentAsync("/Admin/System"),
            d => d.QuerySelector("[data-testid=endpoint-groups] tr[data-group='GET /api/projects']") is not null, what: "the /api/projects group on the System page");

        Assert.Equal("System", page.Title?.Split('·', '|', '-')[0].Trim());
        var row = page.QuerySelector("tr[data-group='GET /api/projects']")!;
        Assert.True(int.Parse(row.Children[1].TextContent, System.Globalization.CultureInfo.InvariantCulture) >= 5);
        foreach (var chart in new[] { "chart-requests", "chart-latency", "chart-errors", "chart-queue", "chart-outbox", "chart-storage" })
        {
            var canvas = page.QuerySelector($"canvas#{chart}");
            Assert.True(canvas is not null, $"no {chart}");
            var data = JsonDocument.Parse(canvas.GetAttribute("data-chart")!).RootElement;
            Assert.True(data.ValueKind == JsonValueKind.Object, $"{chart}: {data}");
        }
        // The chart draws the busiest groups, in the table's order (other tests share this Portal, so /api/projects may not be among them).
        var busiest = page.QuerySelectorAll("[data-testid=endpoint-groups] tr[data-group]").Select(r => r.GetAttribute("data-group")!).Take(8).ToList();
        Assert.NotEmpty(busiest);
        var labels = Strings(JsonDocument.Parse(page.QuerySelector("canvas#chart-requests")!.GetAttribute("data-chart")!).RootElement).ToHashSet();
        Assert.All(busiest, group => Assert.Contains(group, labels));
        Assert.NotNull(page.QuerySelector("script[src*='chart.umd']"));
    }

    [Fact]
    public async Task Errors_and_latency_are_measured_per_group()
    {
        var metrics = portal.Services.GetRequiredService<RequestMetrics>();
        var group = $"/api/test-{Guid.NewGuid():N}";
        for (var i = 0; i < 19; i++)
            metrics.Record(group, 10, error: false);
        metrics.Record(group, 2000, error: true);

        var series = metrics.Snapshot().Groups.Single(g => g.Group == group);

        Assert.Equal(20, series.TotalRequests);
        Assert.Equal(5.0, series.HourErrorPercent);
        Assert.InRange(series.HourP95Milliseconds, 5, 20);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Non_admins_cannot_open_it()
    {
        var user = await portal.CreateUserAsync("not-admin");
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var response = await browser.GetAsync("/Admin/System");

        Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Redirect, $"{(int)response.StatusCode}");
        Assert.DoesNotContain("chart-requests", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Static_files_are_not_counted_and_routes_are_grouped_by_template()
    {
        var admin = await portal.CreateUserAsync("system-static", admin: true);
        var browser = await portal.CreateSignedInBrowserAsync(admin);
        var api = portal.CreateApiClient(admin.Token);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/css/site.css")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/jobs/{Guid.NewGuid()}")).StatusCode);

        var page = await Poll.UntilAsync(() => browser.GetDocumentAsync("/Admin/System"),
            // The page's own request counts once it has finished: the second view shows the first.
            d => d.QuerySelector("tr[data-group='GET /api/jobs/{id}']") is not null && d.QuerySelector("tr[data-group='GET /Admin/System']") is not null,
            what: "the GET /api/jobs/{id} and GET /Admin/System routes on the System page");

        var groups = page.QuerySelectorAll("[data-testid=endpoint-groups] tr[data-group]").Select(r => r.GetAttribute("data-group")!).ToList();
        Assert.DoesNotContain(groups, g => g.Contains("/css", StringComparison.OrdinalIgnoreCase) || g.Contains("site.css", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("GET /Admin/System", groups);
    }

    [Fact]
    public async Task Database_query_p95_and_job_failure_rate_are_charted_per_minute()
    {
        var metrics = portal.Services.GetRequiredService<DatabaseAndJobMetrics>();
        metrics.RecordJobRuns(3, failed: false);
        metrics.RecordJobRuns(1, failed: true);
        var admin = await portal.CreateUserAsync("system-work", admin: true);
        var browser = await portal.CreateSignedInBrowserAsync(admin);

        var page = await browser.GetDocumentAsync("/Admin/System");

        var db = JsonDocument.Parse(page.QuerySelector("canvas#chart-db")!.GetAttribute("data-chart")!).RootElement;
        var p95 = db.GetProperty("series")[0].GetProperty("values").EnumerateArray().Last(v => v.ValueKind == JsonValueKind.Number);
        Assert.True(p95.GetDouble() > 0, "the page's own queries are measured");
        Assert.Equal(50, db.GetProperty("series")[1].GetProperty("values")[0].GetDouble());
        var failures = JsonDocument.Parse(page.QuerySelector("canvas#chart-job-failures")!.GetAttribute("data-chart")!).RootElement;
        var current = failures.GetProperty("series")[0].GetProperty("values").EnumerateArray().Last(v => v.ValueKind == JsonValueKind.Number).GetDouble();
        Assert.InRange(current, 1, 100);
        Assert.Contains("failed", page.QuerySelector("[data-testid=job-failures]")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Job_runs_finishing_are_counted_from_the_telemetry()
    {
        var metrics = portal.Services.GetRequiredService<DatabaseAndJobMetrics>();
        var before = metrics.Snapshot();

        Catalyst.Data.Observability.CatalystTelemetry.JobRuns.Add(1, new KeyValuePair<string, object?>("kind", "test"), new KeyValuePair<string, object?>("status", "failed"));

        var after = metrics.Snapshot();
        Assert.True(after.HourJobFailures >= before.HourJobFailures + 1);
        Assert.True(after.HourJobRuns >= before.HourJobRuns + 1);
    }

    [Fact]
    public async Task Every_series_of_a_chart_has_its_own_colour()
    {
        var metrics = portal.Services.GetRequiredService<RequestMetrics>();
        for (var i = 0; i < 10; i++)
            metrics.Record($"GET /api/colour-{i}-{Guid.NewGuid():N}", 5, error: false);
        var admin = await portal.CreateUserAsync("system-colours", admin: true);
        var browser = await portal.CreateSignedInBrowserAsync(admin);

        var page = await browser.GetDocumentAsync("/Admin/System");

        foreach (var canvas in page.QuerySelectorAll("canvas[data-chart]"))
        {
            var series = JsonDocument.Parse(canvas.GetAttribute("data-chart")!).RootElement.GetProperty("series").EnumerateArray().ToList();
            var colours = series.Select(s => s.GetProperty("color").GetString()).ToList();
            Assert.True(colours.Distinct().Count() == colours.Count, $"{canvas.Id}: {string.Join(", ", colours)}");
        }
        var requests = JsonDocument.Parse(page.QuerySelector("canvas#chart-requests")!.GetAttribute("data-chart")!).RootElement.GetProperty("series");
        Assert.True(requests.GetArrayLength() >= 8);
    }

    [Fact]
    public async Task With_no_data_yet_the_page_renders_its_empty_states()
    {
        await using var fresh = new PortalFactory();
        var admin = await fresh.CreateUserAsync("system-empty", admin: true);
        var browser = await fresh.CreateSignedInBrowserAsync(admin);

        var response = await browser.GetAsync("/Admin/System");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await Forms.ParseAsync(response);
        foreach (var chart in new[] { "chart-db", "chart-job-failures", "chart-queue", "chart-outbox", "chart-storage" })
            Assert.NotNull(page.QuerySelector($"canvas#{chart}"));
        Assert.NotNull(page.QuerySelector("[data-testid=job-failures]"));
    }

    [Fact]
    public void Before_anything_is_measured_the_snapshots_are_empty_windows()
    {
        using var metrics = new DatabaseAndJobMetrics(TimeProvider.System);

        var snapshot = metrics.Snapshot();

        Assert.Equal(RequestMetrics.WindowMinutes, snapshot.Minutes.Count);
        Assert.All(snapshot.DbP95Milliseconds, Assert.Null);
        Assert.All(snapshot.JobFailurePercent, Assert.Null);
        Assert.Null(snapshot.HourDbP95Milliseconds);
        Assert.Equal(0, snapshot.HourJobRuns);
    }

    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value)),
        _ => [],
    };
}
