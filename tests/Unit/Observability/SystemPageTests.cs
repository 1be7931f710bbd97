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
        var requests = JsonDocument.Parse(page.QuerySelector("canvas#chart-requests")!.GetAttribute("data-chart")!).RootElement.ToString();
        Assert.Contains("GET /api/projects", requests, StringComparison.Ordinal);
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
}
