using System.Text.Json;
using System.Text.RegularExpressions;
using Catalyst.Data.Common;

namespace Catalyst.Data.Websites;

/// <summary>Validation shared by the API, the pages, imports and migrations.</summary>
public static partial class WebsiteRules
{
    public const int MaxNameLength = 200;
    public const int MaxSlugLength = 100;
    public const int MaxDescriptionLength = 4000;
    /// <summary>Metadata, item data and preferences are small JSON documents; large data lives in the data sections.</summary>
    public const int MaxJsonDocumentBytes = 256 * 1024;
    public const int MaxJsonDepth = JsonLimits.MaxDepth;

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$")]
    private static partial Regex SlugPattern();

    public static string? ValidName(string? name, Dictionary<string, string[]> errors, string field = "name")
    {
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed))
            errors[field] = ["Name is required."];
        else if (trimmed.Length > MaxNameLength)
            errors[field] = [$"Name must be at most {MaxNameLength} characters."];
        else if (!PlainText.IsName(trimmed))
            errors[field] = [$"Name {PlainText.NameRule}."];
        return trimmed;
    }

    public static string? ValidSlug(string? slug, Dictionary<string, string[]> errors, string field = "slug")
    {
        var trimmed = slug?.Trim();
        if (string.IsNullOrEmpty(trimmed))
            errors[field] = ["Slug is required."];
        else if (!SlugPattern().IsMatch(trimmed))
            errors[field] = ["Slug must be 1-100 lower-case letters, digits or dashes, not starting or ending with a dash."];
        return trimmed;
    }

    /// <summary>Suggests a slug from a name ("My Site!" → "my-site").</summary>
    public static string Slugify(string name)
    {
        var slug = NonSlug().Replace(name.Trim().ToLowerInvariant(), "-").Trim('-');
        if (slug.Length > MaxSlugLength) slug = slug[..MaxSlugLength].Trim('-');
        return slug.Length == 0 ? "site" : slug;
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonSlug();

    /// <summary>A small JSON object, compact and bounded; null or empty becomes <c>{}</c>.</summary>
    public static string ValidJsonObject(JsonElement? value, Dictionary<string, string[]> errors, string field)
    {
        if (value is null || value.Value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
            return "{}";
        if (value.Value.ValueKind != JsonValueKind.Object)
        {
            errors[field] = [$"{field} must be a JSON object."];
            return "{}";
        }
        var text = value.Value.GetRawText();
        if (System.Text.Encoding.UTF8.GetByteCount(text) > MaxJsonDocumentBytes)
            errors[field] = [$"{field} must be at most {MaxJsonDocumentBytes} bytes."];
        else if (JsonLimits.DepthOf(value.Value) > MaxJsonDepth)
            errors[field] = [$"{field} must be nested at most {MaxJsonDepth} levels deep."];
        return text;
    }

    public static ValidationFailedException Fail(Dictionary<string, string[]> errors) => new(errors);
}
