using System.Reflection;
using Catalyst.Data.Marketplace;
using Catalyst.Data.Projects;

namespace Catalyst.Tests.Unit.Marketplace;

/// <summary>Money is whole minor units plus an ISO 4217 code, parsed and printed without floating point.</summary>
public class MoneyTests
{
    [Theory]
    [InlineData("12.50", "EUR", 1250)]
    [InlineData("12.5", "EUR", 1250)]
    [InlineData("0.1", "EUR", 10)]
    [InlineData("1,200", "JPY", 1200)]
    [InlineData("0.001", "KWD", 1)]
    [InlineData(" 7 ", "USD", 700)]
    [InlineData(".99", "USD", 99)]
    [InlineData("1000000000", "EUR", 100_000_000_000)]
    public void Amounts_typed_in_major_units_become_exact_minor_units(string text, string currency, long expected)
    {
        Assert.True(Currencies.TryParseAmount(text, currency, MarketplaceRules.MaxPrice, out var minor));
        Assert.Equal(expected, minor);
    }

    [Theory]
    [InlineData("12.505", "EUR")]
    [InlineData("1.5", "JPY")]
    [InlineData("-1", "EUR")]
    [InlineData("1e3", "EUR")]
    [InlineData("", "EUR")]
    [InlineData(".", "EUR")]
    [InlineData("1000000000.01", "EUR")]
    [InlineData("99999999999999999999999999", "EUR")]
    [InlineData("NaN", "EUR")]
    public void Amounts_with_too_many_decimals_signs_exponents_or_overflow_are_refused(string text, string currency)
    {
        Assert.False(Currencies.TryParseAmount(text, currency, MarketplaceRules.MaxPrice, out _));
    }

    [Theory]
    [InlineData(1250, "EUR", "12.50 EUR")]
    [InlineData(5, "EUR", "0.05 EUR")]
    [InlineData(1200, "JPY", "1,200 JPY")]
    [InlineData(1, "KWD", "0.001 KWD")]
    [InlineData(-250, "USD", "-2.50 USD")]
    [InlineData(long.MaxValue, "EUR", "92,233,720,368,547,758.07 EUR")]
    [InlineData(long.MinValue, "EUR", "-92,233,720,368,547,758.08 EUR")]
    public void Minor_units_print_exactly(long minor, string currency, string expected)
    {
        Assert.Equal(expected, Currencies.Format(minor, currency));
    }

    [Theory]
    [InlineData("eur", "EUR")]
    [InlineData(" usd ", "USD")]
    [InlineData("XYZ", null)]
    [InlineData("XAU", null)] // gold is ISO 4217, but nobody prices a project in it
    [InlineData("EURO", null)]
    [InlineData("E1R", null)]
    [InlineData(null, null)]
    public void Currency_codes_are_checked_against_ISO_4217(string? code, string? expected)
    {
        Assert.Equal(expected, Currencies.Normalize(code));
    }

    /// <summary>Every money-bearing member of the marketplace (entities, DTOs, stats) is a 64-bit integer.</summary>
    [Fact]
    public void No_money_is_held_in_floating_point()
    {
        string[] moneyNames = ["Price", "Amount", "Gross", "Refunded", "Net", "MinPrice", "MaxPrice"];
        var types = typeof(Purchase).Assembly.GetTypes().Where(t => t.Namespace == typeof(Purchase).Namespace)
            .Concat(typeof(Catalyst.Portal.Api.MarketplaceEndpoints).Assembly.GetTypes().Where(t => t.Namespace == "Catalyst.Portal.Api" && (t.Name.Contains("Purchase", StringComparison.Ordinal) || t.Name.Contains("Marketplace", StringComparison.Ordinal))))
            .Append(typeof(Project))
            .ToList();
        var money = types.SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => (Type: t, Property: p)))
            .Where(m => moneyNames.Contains(m.Property.Name))
            .ToList();

        Assert.True(money.Count >= 10, $"only {money.Count} money members found");
        Assert.All(money, m => Assert.True(
            m.Property.PropertyType == typeof(long) || m.Property.PropertyType == typeof(long?),
            $"{m.Type.Name}.{m.Property.Name} is {m.Property.PropertyType.Name}"));
    }
}
