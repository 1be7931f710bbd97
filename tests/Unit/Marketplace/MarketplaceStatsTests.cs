using System.Net;
using System.Text.Json;
using Catalyst.Data.Marketplace;
using Catalyst.Tests.Unit.Infrastructure;

namespace Catalyst.Tests.Unit.Marketplace;

/// <summary>A Portal of its own: the stats count every row, so no other test may add any.</summary>
public sealed class StatsPortal : IAsyncLifetime
{
    public PortalFactory Portal { get; } = new();

    public async ValueTask InitializeAsync() => await Portal.InitializeAsync();

    public async ValueTask DisposeAsync() => await Portal.DisposeAsync();
}

public class MarketplaceStatsTests(StatsPortal fixture) : IClassFixture<StatsPortal>
{
    private PortalFactory Portal => fixture.Portal;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<JsonElement> StatsAsync(string query = "")
    {
        var admin = Portal.CreateApiClient((await Portal.AdminAsync()).Token);
        var response = await admin.GetAsync("/api/marketplace/stats" + query, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"stats answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        return (await response.ReadJsonAsync()).GetProperty("data");
    }

    private static JsonElement Currency(JsonElement revenue, string code) =>
        revenue.EnumerateArray().Single(r => r.GetProperty("currency").GetString() == code);

    [Fact]
    public async Task Totals_revenue_over_time_and_top_projects_say_exactly_what_happened()
    {
        // Two EUR projects and one JPY project; five sales, one refund, downloads and reviews.
        var popular = await Portal.PublishedAsync(price: 1250, currency: "EUR", name: "Popular kit");
        var niche = await Portal.PublishedAsync(price: 999, currency: "EUR", name: "Niche theme");
        var yen = await Portal.PublishedAsync(price: 1500, currency: "JPY", name: "Yen dataset");
        var buyers = new List<HttpClient>();
        for (var i = 0; i < 3; i++)
            buyers.Add(Portal.CreateApiClient((await Portal.CreateUserAsync("buyer")).Token));
        foreach (var buyer in buyers)
            await buyer.PurchaseOkAsync(popular.ProjectId);
        var refunded = (await buyers[0].PurchaseOkAsync(niche.ProjectId)).GetProperty("id").GetGuid();
        await buyers[1].PurchaseOkAsync(yen.ProjectId);
        var admin = Portal.CreateApiClient((await Portal.AdminAsync()).Token);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/marketplace/purchases/{refunded}/refund", null, Ct)).StatusCode);
        await Portal.CreateApiClient().GetAsync(await buyers[0].DownloadUrlAsync(popular.ProjectId), Ct);
        await Portal.CreateApiClient().GetAsync(await buyers[1].DownloadUrlAsync(popular.ProjectId), Ct);
        await buyers[1].ReviewAsync(popular.ProjectId, 5);
        await buyers[2].ReviewAsync(popular.ProjectId, 4);

        var stats = await StatsAsync();

        var totals = stats.GetProperty("totals");
        Assert.Equal(5, totals.GetProperty("purchases").GetInt32());
        Assert.Equal(1, totals.GetProperty("refunds").GetInt32());
        Assert.Equal(2, totals.GetProperty("downloads").GetInt32());
        Assert.Equal(2, totals.GetProperty("reviews").GetInt32());
        Assert.Equal(3, totals.GetProperty("publishedProjects").GetInt32());
        var eur = Currency(totals.GetProperty("revenue"), "EUR");
        Assert.Equal(3 * 1250 + 999, eur.GetProperty("gross").GetInt64());
        Assert.Equal(999, eur.GetProperty("refunded").GetInt64());
        Assert.Equal(3 * 1250, eur.GetProperty("net").GetInt64());
        Assert.Equal(1500, Currency(totals.GetProperty("revenue"), "JPY").GetProperty("net").GetInt64());

        // Today's bucket holds the same money; the series spans the default 30 days.
        var series = stats.GetProperty("series");
        Assert.Equal(30, series.GetProperty("points").GetArrayLength());
        var today = series.GetProperty("points").EnumerateArray().Last();
        Assert.Equal(DateTime.UtcNow.Date, today.GetProperty("start").GetDateTime().Date);
        Assert.Equal(3 * 1250, Currency(today.GetProperty("revenue"), "EUR").GetProperty("net").GetInt64());
        Assert.Equal(["EUR", "JPY"], series.GetProperty("currencies").EnumerateArray().Select(c => c.GetString()));

        var top = stats.GetProperty("topProjects").EnumerateArray().ToList();
        Assert.Equal(["Popular kit", "Yen dataset", "Niche theme"], top.Select(t => t.GetProperty("name").GetString()));
        Assert.Equal([3, 1, 0], top.Select(t => t.GetProperty("sales").GetInt32()));
        Assert.Equal(2, top[0].GetProperty("downloads").GetInt64());
        Assert.Equal(4.5, top[0].GetProperty("ratingAverage").GetDouble());
        Assert.Equal(3750, Currency(top[0].GetProperty("revenue"), "EUR").GetProperty("net").GetInt64());
    }

    [Theory]
    [InlineData("?bucket=year")]
    [InlineData("?from=2031-05-01&to=2031-04-01")]
    [InlineData("?from=2000-01-01&to=2031-01-01&bucket=day")]
    [InlineData("?from=1900-01-01")]
    [InlineData("?to=9999-12-31")]
    [InlineData("?top=0")]
    [InlineData("?top=51")]
    public async Task Bad_stats_parameters_answer_400(string query)
    {
        var admin = Portal.CreateApiClient((await Portal.AdminAsync()).Token);
        await (await admin.GetAsync("/api/marketplace/stats" + query, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await admin.GetAsync("/api/marketplace/stats?from=yesterday", Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_parameter");
    }

    [Fact]
    public async Task Stats_are_for_admins_only()
    {
        var user = Portal.CreateApiClient((await Portal.CreateUserAsync("curious")).Token);
        await (await user.GetAsync("/api/marketplace/stats", Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await Portal.CreateApiClient().GetAsync("/api/marketplace/stats", Ct)).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }
}

/// <summary>Bucketing on a Portal of its own too (its ledger rows would change the totals above).</summary>
public class RevenueBucketTests(StatsPortal fixture) : IClassFixture<StatsPortal>
{
    private PortalFactory Portal => fixture.Portal;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<JsonElement> StatsAsync(string query)
    {
        var admin = Portal.CreateApiClient((await Portal.AdminAsync()).Token);
        var response = await admin.GetAsync("/api/marketplace/stats" + query, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("data");
    }

    private static JsonElement Currency(JsonElement revenue, string code) =>
        revenue.EnumerateArray().Single(r => r.GetProperty("currency").GetString() == code);

    [Fact]
    public async Task Revenue_is_bucketed_by_day_iso_week_and_month()
    {
        // Ledger rows on chosen days of a year no other test writes to.
        await Portal.WithDbAsync(async db =>
        {
            foreach (var (day, amount, type) in new[]
            {
                (new DateTime(2031, 3, 3, 23, 59, 59, DateTimeKind.Utc), 100L, RevenueEventType.Purchase), // Monday
                (new DateTime(2031, 3, 9, 0, 0, 0, DateTimeKind.Utc), 200L, RevenueEventType.Purchase),    // Sunday, same ISO week
                (new DateTime(2031, 3, 10, 8, 0, 0, DateTimeKind.Utc), 400L, RevenueEventType.Purchase),   // next Monday
                (new DateTime(2031, 3, 10, 9, 0, 0, DateTimeKind.Utc), 400L, RevenueEventType.Refund),
                (new DateTime(2031, 4, 1, 0, 0, 0, DateTimeKind.Utc), 800L, RevenueEventType.Purchase),
            })
                db.Add(new RevenueEvent { Id = Guid.CreateVersion7(), Type = type, Amount = amount, Currency = "CHF", At = day });
            return await db.SaveChangesAsync(Ct);
        });

        List<(string Start, long Net)> Points(JsonElement stats) => stats.GetProperty("series").GetProperty("points").EnumerateArray()
            .Select(p => (p.GetProperty("start").GetDateTime().ToString("yyyy-MM-dd"),
                p.GetProperty("revenue").EnumerateArray().Where(r => r.GetProperty("currency").GetString() == "CHF").Sum(r => r.GetProperty("net").GetInt64())))
            .Where(p => p.Item2 != 0 || p.Item1 is "2031-03-03" or "2031-03-10")
            .ToList();

        var days = Points(await StatsAsync("?from=2031-03-01&to=2031-04-30&bucket=day"));
        var weeks = Points(await StatsAsync("?from=2031-03-01&to=2031-04-30&bucket=week"));
        var months = Points(await StatsAsync("?from=2031-03-01&to=2031-04-30&bucket=month"));

        Assert.Equal([("2031-03-03", 100L), ("2031-03-09", 200L), ("2031-03-10", 0L), ("2031-04-01", 800L)], days);
        Assert.Equal([("2031-03-03", 300L), ("2031-03-10", 0L), ("2031-03-31", 800L)], weeks);
        Assert.Equal([("2031-03-01", 300L), ("2031-04-01", 800L)], months);
        var march = (await StatsAsync("?from=2031-03-01&to=2031-03-31&bucket=month")).GetProperty("series").GetProperty("points")[0];
        var chf = Currency(march.GetProperty("revenue"), "CHF");
        Assert.Equal((700L, 400L, 3, 1), (chf.GetProperty("gross").GetInt64(), chf.GetProperty("refunded").GetInt64(), chf.GetProperty("purchases").GetInt32(), chf.GetProperty("refunds").GetInt32()));
    }
}
