using System.Text.Json;
using Catalyst.Data.Common;
using Catalyst.Data.Marketplace;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Marketplace;

/// <summary>Admins: marketplace totals, revenue over time and top projects, as charts with tables that say the same numbers.</summary>
[Authorize(Policy = Policies.Admin)]
public class StatsModel(MarketplaceStatistics statistics) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "from")]
    public DateOnly? From { get; set; }

    [BindProperty(SupportsGet = true, Name = "to")]
    public DateOnly? To { get; set; }

    [BindProperty(SupportsGet = true, Name = "bucket")]
    public string? Bucket { get; set; }

    /// <summary>The currency the revenue chart and table show (money of different currencies is never added up).</summary>
    [BindProperty(SupportsGet = true, Name = "currency")]
    public string? Currency { get; set; }

    public MarketplaceStats Stats { get; private set; } = null!;

    public StatsBucket BucketValue => Enum.TryParse<StatsBucket>(Bucket, ignoreCase: true, out var bucket) && Enum.IsDefined(bucket) ? bucket : StatsBucket.Day;

    public string? ChartCurrency => Stats.Series.Currencies.Contains(Currency ?? "") ? Currency : Stats.Series.Currencies.Count > 0 ? Stats.Series.Currencies[0] : null;

    public async Task OnGetAsync(CancellationToken ct)
    {
        ViewData["Section"] = "Admin";
        try
        {
            Stats = await statistics.SummarizeAsync(User.ToActor(), Query(From, To), ct);
        }
        catch (ValidationFailedException ex)
        {
            foreach (var (field, messages) in ex.Errors)
                foreach (var message in messages)
                    ModelState.AddModelError(field, message);
            Stats = await statistics.SummarizeAsync(User.ToActor(), Query(null, null), ct);
        }
    }

    private StatsQuery Query(DateOnly? from, DateOnly? to) =>
        new(from?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), to?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), BucketValue);

    public CurrencyRevenue? RevenueIn(RevenuePoint point) => point.Revenue.FirstOrDefault(r => r.Currency == ChartCurrency);

    /// <summary>The revenue chart's data attribute: minor units, with what charts.js needs to print them.</summary>
    public string RevenueChart()
    {
        var currency = ChartCurrency!;
        long[] Values(Func<CurrencyRevenue, long> pick) => [.. Stats.Series.Points.Select(p => RevenueIn(p) is { } r ? pick(r) : 0)];
        return JsonSerializer.Serialize(new
        {
            labels = Stats.Series.Points.Select(p => MarketplaceStatistics.Label(p.Start, Stats.Series.Bucket)),
            series = new[]
            {
                new { label = $"Net ({currency})", values = Values(r => r.Net) },
                new { label = $"Gross ({currency})", values = Values(r => r.Gross) },
                new { label = $"Refunded ({currency})", values = Values(r => r.Refunded) },
            },
            unit = "money",
            currency,
            digits = Currencies.MinorUnitDigits(currency),
        });
    }

    public string TopChart() => JsonSerializer.Serialize(new
    {
        labels = Stats.TopProjects.Select(t => t.Name.Length > 30 ? t.Name[..30] + "…" : t.Name),
        values = Stats.TopProjects.Select(t => t.Sales),
        label = "Sales",
        unit = "count",
    });

    public static string Money(IReadOnlyList<CurrencyRevenue> revenue, Func<CurrencyRevenue, long> pick) =>
        revenue.Count == 0 ? "—" : string.Join(" · ", revenue.Select(r => Currencies.Format(pick(r), r.Currency)));
}
