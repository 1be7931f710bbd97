using System.Collections.Frozen;
using System.Globalization;

namespace Catalyst.Data.Marketplace;

/// <summary>
/// Money is a whole number of minor units plus an ISO 4217 code (SPEC §13); nothing here touches
/// floating point. The table holds the active ISO 4217 currencies (fund codes, precious metals and
/// the testing codes are left out, as nobody prices a project in them) with their minor-unit
/// exponent, which the portal needs to read "12.50" as 1250 and to print 1250 as "12.50".
/// </summary>
public static class Currencies
{
    private static readonly FrozenDictionary<string, int> MinorUnits = new Dictionary<string, int>
    {
        ["AED"] = 2, ["AFN"] = 2, ["ALL"] = 2, ["AMD"] = 2, ["AOA"] = 2, ["ARS"] = 2, ["AUD"] = 2, ["AWG"] = 2,
        ["AZN"] = 2, ["BAM"] = 2, ["BBD"] = 2, ["BDT"] = 2, ["BGN"] = 2, ["BHD"] = 3, ["BIF"] = 0, ["BMD"] = 2,
        ["BND"] = 2, ["BOB"] = 2, ["BRL"] = 2, ["BSD"] = 2, ["BTN"] = 2, ["BWP"] = 2, ["BYN"] = 2, ["BZD"] = 2,
        ["CAD"] = 2, ["CDF"] = 2, ["CHF"] = 2, ["CLP"] = 0, ["CNY"] = 2, ["COP"] = 2, ["CRC"] = 2, ["CUP"] = 2,
        ["CVE"] = 2, ["CZK"] = 2, ["DJF"] = 0, ["DKK"] = 2, ["DOP"] = 2, ["DZD"] = 2, ["EGP"] = 2, ["ERN"] = 2,
        ["ETB"] = 2, ["EUR"] = 2, ["FJD"] = 2, ["FKP"] = 2, ["GBP"] = 2, ["GEL"] = 2, ["GHS"] = 2, ["GIP"] = 2,
        ["GMD"] = 2, ["GNF"] = 0, ["GTQ"] = 2, ["GYD"] = 2, ["HKD"] = 2, ["HNL"] = 2, ["HTG"] = 2, ["HUF"] = 2,
        ["IDR"] = 2, ["ILS"] = 2, ["INR"] = 2, ["IQD"] = 3, ["IRR"] = 2, ["ISK"] = 0, ["JMD"] = 2, ["JOD"] = 3,
        ["JPY"] = 0, ["KES"] = 2, ["KGS"] = 2, ["KHR"] = 2, ["KMF"] = 0, ["KPW"] = 2, ["KRW"] = 0, ["KWD"] = 3,
        ["KYD"] = 2, ["KZT"] = 2, ["LAK"] = 2, ["LBP"] = 2, ["LKR"] = 2, ["LRD"] = 2, ["LSL"] = 2, ["LYD"] = 3,
        ["MAD"] = 2, ["MDL"] = 2, ["MGA"] = 2, ["MKD"] = 2, ["MMK"] = 2, ["MNT"] = 2, ["MOP"] = 2, ["MRU"] = 2,
        ["MUR"] = 2, ["MVR"] = 2, ["MWK"] = 2, ["MXN"] = 2, ["MYR"] = 2, ["MZN"] = 2, ["NAD"] = 2, ["NGN"] = 2,
        ["NIO"] = 2, ["NOK"] = 2, ["NPR"] = 2, ["NZD"] = 2, ["OMR"] = 3, ["PAB"] = 2, ["PEN"] = 2, ["PGK"] = 2,
        ["PHP"] = 2, ["PKR"] = 2, ["PLN"] = 2, ["PYG"] = 0, ["QAR"] = 2, ["RON"] = 2, ["RSD"] = 2, ["RUB"] = 2,
        ["RWF"] = 0, ["SAR"] = 2, ["SBD"] = 2, ["SCR"] = 2, ["SDG"] = 2, ["SEK"] = 2, ["SGD"] = 2, ["SHP"] = 2,
        ["SLE"] = 2, ["SOS"] = 2, ["SRD"] = 2, ["SSP"] = 2, ["STN"] = 2, ["SVC"] = 2, ["SYP"] = 2, ["SZL"] = 2,
        ["THB"] = 2, ["TJS"] = 2, ["TMT"] = 2, ["TND"] = 3, ["TOP"] = 2, ["TRY"] = 2, ["TTD"] = 2, ["TWD"] = 2,
        ["TZS"] = 2, ["UAH"] = 2, ["UGX"] = 0, ["USD"] = 2, ["UYU"] = 2, ["UZS"] = 2, ["VED"] = 2, ["VES"] = 2,
        ["VND"] = 0, ["VUV"] = 0, ["WST"] = 2, ["XAF"] = 0, ["XCD"] = 2, ["XCG"] = 2, ["XOF"] = 0, ["XPF"] = 0,
        ["YER"] = 2, ["ZAR"] = 2, ["ZMW"] = 2, ["ZWG"] = 2,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Every accepted code, sorted.</summary>
    public static IReadOnlyList<string> Codes { get; } = [.. MinorUnits.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The upper-case code when <paramref name="code"/> names an accepted currency (any case), else null.</summary>
    public static string? Normalize(string? code)
    {
        var trimmed = code?.Trim();
        if (trimmed is not { Length: 3 } || !trimmed.All(char.IsAsciiLetter))
            return null;
        var upper = trimmed.ToUpperInvariant();
        return MinorUnits.ContainsKey(upper) ? upper : null;
    }

    public static bool IsKnown(string? code) => code is not null && MinorUnits.ContainsKey(code);

    /// <summary>Digits after the decimal separator: 2 for EUR, 0 for JPY, 3 for KWD.</summary>
    public static int MinorUnitDigits(string code) =>
        MinorUnits.TryGetValue(code, out var digits) ? digits : throw new ArgumentException($"Unknown currency '{code}'.", nameof(code));

    /// <summary>"12.50 EUR" for (1250, EUR), "1,200 JPY" for (1200, JPY); integer arithmetic only.</summary>
    public static string Format(long minorUnits, string code) => FormatAmount(minorUnits, code) + " " + code;

    /// <summary>The amount in major units with the currency's digits, grouped by thousands: "1,234.50".</summary>
    public static string FormatAmount(long minorUnits, string code)
    {
        var digits = MinorUnitDigits(code);
        var negative = minorUnits < 0;
        // UInt128 keeps long.MinValue's magnitude.
        var magnitude = negative ? (UInt128)(-(Int128)minorUnits) : (UInt128)minorUnits;
        UInt128 scale = 1;
        for (var i = 0; i < digits; i++)
            scale *= 10;
        var whole = (magnitude / scale).ToString("N0", CultureInfo.InvariantCulture);
        var text = digits == 0 ? whole : whole + "." + (magnitude % scale).ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0');
        return negative ? "-" + text : text;
    }

    /// <summary>
    /// Reads an amount typed in major units ("12.5", "12.50", "1,200", "0") as minor units. False
    /// for more decimals than the currency has, signs, exponents, or amounts beyond <paramref name="max"/>.
    /// </summary>
    public static bool TryParseAmount(string? text, string code, long max, out long minorUnits)
    {
        minorUnits = 0;
        var digits = MinorUnitDigits(code);
        var trimmed = (text ?? "").Trim().Replace(",", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        if (trimmed.Length is 0 or > 30)
            return false;
        var dot = trimmed.IndexOf('.', StringComparison.Ordinal);
        var wholePart = dot < 0 ? trimmed : trimmed[..dot];
        var fraction = dot < 0 ? "" : trimmed[(dot + 1)..];
        if (wholePart.Length == 0 && fraction.Length == 0)
            return false;
        if (!wholePart.All(char.IsAsciiDigit) || !fraction.All(char.IsAsciiDigit) || fraction.Length > digits)
            return false;
        Int128 value = 0;
        foreach (var c in wholePart + fraction.PadRight(digits, '0'))
        {
            value = value * 10 + (c - '0');
            if (value > max)
                return false;
        }
        minorUnits = (long)value;
        return true;
    }
}
