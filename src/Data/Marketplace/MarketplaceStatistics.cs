using System.Globalization;
using Catalyst.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Marketplace;

public enum StatsBucket { Day, Week, Month }

/// <summary>Revenue of one currency: what purchases brought, what refunds took back, and the difference.</summary>
public sealed record CurrencyRevenue(string Currency, long Gross, long Refunded, long Net, int Purchases, int Refunds);

public sealed record MarketplaceTotals(
    IReadOnlyList<CurrencyRevenue> Revenue, int Purchases, int Refunds, int Downloads, int Reviews, int PublishedProjects);

/// <summary>One bucket of the revenue series: [Start, next bucket's start), per currency.</summary>
public sealed record RevenuePoint(DateTime Start, IReadOnlyList<CurrencyRevenue> Revenue);

public sealed record RevenueSeries(StatsBucket Bucket, DateTime From, DateTime To, IReadOnlyList<string> Currencies, IReadOnlyList<RevenuePoint> Points);

/// <summary>A project by sales (purchases minus refunds), with its net revenue per currency.</summary>
public sealed record TopProject(Guid ProjectId, string Name, bool Exists, int Sales, int Purchases, int Refunds, IReadOnlyList<CurrencyRevenue> Revenue, long Downloads, double RatingAverage, int RatingCount);

public sealed record MarketplaceStats(MarketplaceTotals Totals, RevenueSeries Series, IReadOnlyList<TopProject> TopProjects);

/// <summary>The stats query: a UTC range (whole days) and its bucket size; defaults to the last 30 days by day.</summary>
public sealed record StatsQuery(DateTime? From = null, DateTime? To = null, StatsBucket Bucket = StatsBucket.Day, int Top = 10);

/// <summary>
/// Admin statistics of SPEC §13 from the revenue ledger: totals (all time), revenue over time in
/// day/week/month buckets, and the top projects. Sums are 64-bit integers of minor units, never
/// floating point, and never mix currencies.
/// </summary>
public sealed class MarketplaceStatistics(CatalystDbContext db, TimeProvider time)
{
    public const int MaxTop = 50;
    /// <summary>At most this many buckets in one series, so a range cannot ask for millions of points.</summary>
    public const int MaxPoints = 400;

    public async Task<MarketplaceStats> SummarizeAsync(Actor actor, StatsQuery query, CancellationToken ct)
    {
        if (!actor.IsAdmin)
            throw new ForbiddenException("Marketplace statistics are for admins.");
        var (from, to) = Validate(query);

        var byCurrency = await db.Set<RevenueEvent>().AsNoTracking()
            .GroupBy(e => new { e.Currency, e.Type })
            .Select(g => new EventSum(g.Key.Currency, g.Key.Type, g.Sum(e => e.Amount), g.Count()))
            .ToListAsync(ct);
        var revenue = Revenue(byCurrency);
        var totals = new MarketplaceTotals(
            revenue,
            byCurrency.Where(s => s.Type == RevenueEventType.Purchase).Sum(s => s.Count),
            byCurrency.Where(s => s.Type == RevenueEventType.Refund).Sum(s => s.Count),
            await db.Set<Download>().CountAsync(ct),
            await db.Set<Review>().CountAsync(ct),
            await db.Projects.CountAsync(p => p.IsPublished, ct));

        return new MarketplaceStats(totals, await SeriesAsync(from, to, query.Bucket, revenue, ct), await TopProjectsAsync(query.Top, ct));
    }

    private (DateTime From, DateTime To) Validate(StatsQuery query)
    {
        var errors = new Dictionary<string, string[]>();
        if (query.From is { Year: < 2000 or > 9000 } || query.To is { Year: < 2000 or > 9000 })
            throw ValidationFailedException.For(query.From is { Year: < 2000 or > 9000 } ? "from" : "to", "Dates must lie between the years 2000 and 9000.");
        var today = Clock.UtcNow(time).Date;
        var to = (query.To ?? today).Date.AddDays(1); // exclusive: the whole "to" day counts
        var from = BucketStart((query.From ?? today.AddDays(-29)).Date, query.Bucket);
        if (from >= to)
            errors["from"] = ["from must not be after to."];
        else if (Count(from, to, query.Bucket) > MaxPoints)
            errors["from"] = [$"The range holds more than {MaxPoints} {query.Bucket.ToString().ToLowerInvariant()}s; pick a larger bucket or a shorter range."];
        if (query.Top is < 1 or > MaxTop)
            errors["top"] = [$"top must be between 1 and {MaxTop}."];
        if (errors.Count > 0)
            throw new ValidationFailedException(errors);
        return (from, to);
    }

    private async Task<RevenueSeries> SeriesAsync(DateTime from, DateTime to, StatsBucket bucket, IReadOnlyList<CurrencyRevenue> allTime, CancellationToken ct)
    {
        // Grouped by day in the database, folded into weeks or months here: at most a few hundred rows per currency.
        var days = await db.Set<RevenueEvent>().AsNoTracking()
            .Where(e => e.At >= from && e.At < to)
            .GroupBy(e => new { e.At.Date, e.Currency, e.Type })
            .Select(g => new { g.Key.Date, Sum = new EventSum(g.Key.Currency, g.Key.Type, g.Sum(e => e.Amount), g.Count()) })
            .ToListAsync(ct);
        var byBucket = days.GroupBy(d => BucketStart(DateTime.SpecifyKind(d.Date, DateTimeKind.Utc), bucket))
            .ToDictionary(g => g.Key, g => Revenue(g.Select(d => d.Sum)));
        var points = new List<RevenuePoint>();
        for (var start = from; start < to; start = Next(start, bucket))
            points.Add(new RevenuePoint(start, byBucket.GetValueOrDefault(start) ?? []));
        // Every currency ever sold in, busiest first, so the chart's series stay put across ranges.
        var currencies = allTime.OrderByDescending(r => r.Purchases).ThenBy(r => r.Currency, StringComparer.Ordinal).Select(r => r.Currency).ToList();
        return new RevenueSeries(bucket, from, to, currencies, points);
    }

    private async Task<IReadOnlyList<TopProject>> TopProjectsAsync(int top, CancellationToken ct)
    {
        var leaders = await db.Set<RevenueEvent>().AsNoTracking()
            .Where(e => e.ProjectId != null && (e.Type == RevenueEventType.Purchase || e.Type == RevenueEventType.Refund))
            .GroupBy(e => e.ProjectId!.Value)
            .Select(g => new
            {
                ProjectId = g.Key,
                Purchases = g.Count(e => e.Type == RevenueEventType.Purchase),
                Refunds = g.Count(e => e.Type == RevenueEventType.Refund),
            })
            .OrderByDescending(g => g.Purchases - g.Refunds).ThenByDescending(g => g.Purchases).ThenBy(g => g.ProjectId)
            .Take(top)
            .ToListAsync(ct);
        if (leaders.Count == 0)
            return [];
        var ids = leaders.Select(l => l.ProjectId).ToList();
        var sums = await db.Set<RevenueEvent>().AsNoTracking()
            .Where(e => e.ProjectId != null && ids.Contains(e.ProjectId.Value))
            .GroupBy(e => new { ProjectId = e.ProjectId!.Value, e.Currency, e.Type })
            .Select(g => new { g.Key.ProjectId, Sum = new EventSum(g.Key.Currency, g.Key.Type, g.Sum(e => e.Amount), g.Count()) })
            .ToListAsync(ct);
        var projects = await db.Projects.AsNoTracking().Where(p => ids.Contains(p.Id))
            .Select(p => new { p.Id, p.Name, p.DownloadCount, p.RatingAverage, p.RatingCount }).ToDictionaryAsync(p => p.Id, ct);
        // A deleted project keeps its place in the ledger under the name it was sold as.
        var soldAs = await db.Set<Purchase>().AsNoTracking().Where(p => ids.Contains(p.ProjectId))
            .GroupBy(p => p.ProjectId).Select(g => new { ProjectId = g.Key, Name = g.Max(p => p.ProjectName) })
            .ToDictionaryAsync(p => p.ProjectId, p => p.Name, ct);
        return leaders.Select(l =>
        {
            var project = projects.GetValueOrDefault(l.ProjectId);
            return new TopProject(
                l.ProjectId,
                project?.Name ?? soldAs.GetValueOrDefault(l.ProjectId) ?? l.ProjectId.ToString(),
                project is not null,
                l.Purchases - l.Refunds, l.Purchases, l.Refunds,
                Revenue(sums.Where(s => s.ProjectId == l.ProjectId).Select(s => s.Sum)),
                project?.DownloadCount ?? 0, project?.RatingAverage ?? 0, project?.RatingCount ?? 0);
        }).ToList();
    }

    private sealed record EventSum(string Currency, RevenueEventType Type, long Amount, int Count);

    private static List<CurrencyRevenue> Revenue(IEnumerable<EventSum> sums) =>
        sums.GroupBy(s => s.Currency).Select(g =>
        {
            var gross = g.Where(s => s.Type == RevenueEventType.Purchase).Sum(s => s.Amount);
            var refunded = g.Where(s => s.Type == RevenueEventType.Refund).Sum(s => s.Amount);
            return new CurrencyRevenue(g.Key, gross, refunded, checked(gross - refunded),
                g.Where(s => s.Type == RevenueEventType.Purchase).Sum(s => s.Count),
                g.Where(s => s.Type == RevenueEventType.Refund).Sum(s => s.Count));
        }).OrderBy(r => r.Currency, StringComparer.Ordinal).ToList();

    public static DateTime BucketStart(DateTime day, StatsBucket bucket) => bucket switch
    {
        // ISO weeks start on Monday.
        StatsBucket.Week => day.Date.AddDays(-(((int)day.DayOfWeek + 6) % 7)),
        StatsBucket.Month => new DateTime(day.Year, day.Month, 1, 0, 0, 0, DateTimeKind.Utc),
        _ => DateTime.SpecifyKind(day.Date, DateTimeKind.Utc),
    };

    public static DateTime Next(DateTime start, StatsBucket bucket) => bucket switch
    {
        StatsBucket.Week => start.AddDays(7),
        StatsBucket.Month => start.AddMonths(1),
        _ => start.AddDays(1),
    };

    public static string Label(DateTime start, StatsBucket bucket) => bucket switch
    {
        StatsBucket.Week => "w/c " + start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        StatsBucket.Month => start.ToString("yyyy-MM", CultureInfo.InvariantCulture),
        _ => start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    };

    private static int Count(DateTime from, DateTime to, StatsBucket bucket) => bucket switch
    {
        StatsBucket.Week => (int)Math.Ceiling((to - from).TotalDays / 7),
        StatsBucket.Month => (to.Year - from.Year) * 12 + to.Month - from.Month + 1,
        _ => (int)(to - from).TotalDays,
    };
}
