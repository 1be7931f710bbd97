using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Catalyst.Data.Common;

namespace Catalyst.Data.LegacyImport;

/// <summary>Small readers of decoded legacy rows: fields as text, times, and the source-key form of a key.</summary>
public static class LegacyValues
{
    public const int MaxKeyLength = 400;

    public static JsonObject AsObject(JsonNode? value) => value as JsonObject ?? new JsonObject { ["value"] = value?.DeepClone() };

    public static string? Text(JsonObject row, string name) => row[name] switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.ToJsonString(),
        _ => null,
    };

    public static bool Flag(JsonObject row, string name) => row[name] is JsonValue v && (v.GetValueKind() == JsonValueKind.True
        || (v.GetValueKind() == JsonValueKind.Number && v.GetValue<double>() != 0) || (v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is "true" or "1"));

    /// <summary>A time as ISO 8601: decoded Dates are ISO strings already; apps also kept ms since 1970 as numbers.</summary>
    public static string? Time(JsonObject row, string name)
    {
        switch (row[name])
        {
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var ms) && double.IsFinite(ms) && Math.Abs(ms) < 8.64e15:
                return DateTimeOffset.FromUnixTimeMilliseconds((long)ms).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                var text = v.GetValue<string>();
                if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var digits) && Math.Abs(digits) < 8_640_000_000_000_000)
                    return DateTimeOffset.FromUnixTimeMilliseconds(digits).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
                return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _) ? text : null;
            default:
                return null;
        }
    }

    public static DateTime? UtcTime(JsonObject row, string name) =>
        Time(row, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at.UtcDateTime : null;

    /// <summary>The fields of <paramref name="row"/> other than <paramref name="mapped"/> (kept so nothing is dropped).</summary>
    public static JsonObject Rest(JsonObject row, params string[] mapped)
    {
        var rest = new JsonObject();
        foreach (var (name, value) in row)
            if (!mapped.Contains(name, StringComparer.Ordinal))
                rest[name] = value?.DeepClone();
        return rest;
    }

    /// <summary>A key that fits the source-key column: long keys are kept by their SHA-256.</summary>
    public static string SourceKey(string key) =>
        key.Length <= MaxKeyLength ? key : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string Json(JsonNode? node) => node?.ToJsonString() ?? "null";

    /// <summary>A decoded value as an element, at the depth Catalyst reads and stores (not System.Text.Json's default of 64).</summary>
    public static JsonElement Element(JsonNode? node) => JsonSerializer.SerializeToElement(node, JsonLimits.Documents);

    /// <summary>
    /// Why <paramref name="value"/> cannot be kept <paramref name="levels"/> levels down in a stored JSON
    /// value (it would nest past <see cref="JsonLimits.MaxDepth"/>), or null when it can.
    /// </summary>
    public static string? TooDeep(JsonNode? value, int levels, string where) =>
        JsonLimits.DepthOf(value) + levels > JsonLimits.MaxDepth
            ? $"Nested {JsonLimits.DepthOf(value)} levels deep: kept in {where} it would pass the {JsonLimits.MaxDepth} levels a stored JSON value may have; not imported."
            : null;

    /// <summary>The legacy website id of a per-website database name (<c>website_&lt;id&gt;_&lt;part&gt;</c>), and the part.</summary>
    public static (string WebsiteId, string Part)? WebsiteDatabase(string database)
    {
        if (!database.StartsWith("website_", StringComparison.Ordinal))
            return null;
        foreach (var part in LegacyDatabases.WebsiteParts)
        {
            var suffix = "_" + part;
            if (database.EndsWith(suffix, StringComparison.Ordinal) && database.Length > "website_".Length + suffix.Length)
                return (database["website_".Length..^suffix.Length], part);
        }
        return null;
    }
}

public static class LegacyDatabases
{
    public const string Global = "catalyst_global";
    public const string Kijko = "kijko_db";
    public const string LocalStoragePrefix = "localStorage.";
    public const string Config = "config";
    public const string Content = "content";
    public const string Assets = "assets";
    public const string AiContext = "ai_context";
    public static readonly IReadOnlyList<string> WebsiteParts = [Config, Content, Assets, AiContext];
}
