using System.Globalization;
using Catalyst.Data.Marketplace;

namespace Catalyst.Portal.Pages.Marketplace;

/// <summary>How the marketplace pages show prices, ratings and the price-range filter.</summary>
public static class MarketplaceDisplay
{
    /// <summary>
    /// The browse page's price ranges, in minor units (prices are compared in minor units whatever
    /// the currency, as in the API; the labels assume a currency with cents).
    /// </summary>
    public static IReadOnlyList<(string Value, string Label, long? Min, long? Max)> PriceRanges { get; } =
    [
        ("free", "Free", 0, 0),
        ("under-10", "Under 10", 1, 999),
        ("10-50", "10 to 50", 1000, 5000),
        ("over-50", "Over 50", 5001, null),
    ];

    public static (long? Min, long? Max) PriceRange(string? value)
    {
        var range = PriceRanges.FirstOrDefault(r => r.Value == value);
        return range.Value is null ? (null, null) : (range.Min, range.Max);
    }

    public static IReadOnlyList<(MarketplaceSort Sort, string Label)> Sorts { get; } =
    [
        (MarketplaceSort.Newest, "Newest"),
        (MarketplaceSort.Rating, "Top rated"),
        (MarketplaceSort.Downloads, "Most downloaded"),
        (MarketplaceSort.Price, "Lowest price"),
    ];

    public static string Price(long? price, string? currency) => MarketplaceRules.PriceText(price, currency) ?? "—";

    /// <summary>"4.5 ★ (2 reviews)", or "No reviews yet".</summary>
    public static string Rating(double average, int count) => count == 0
        ? "No reviews yet"
        : $"{average.ToString("0.0", CultureInfo.InvariantCulture)} ★ ({count} review{(count == 1 ? "" : "s")})";

    public static string Stars(int rating) => new string('★', rating) + new string('☆', 5 - rating);

    public static string Date(DateTime? value) => value?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "—";
}
