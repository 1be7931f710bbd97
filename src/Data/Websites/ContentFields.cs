using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Catalyst.Data.Common;

namespace Catalyst.Data.Websites;

/// <summary>The field types of a content type (SPEC §5 / issue 4).</summary>
public static class FieldTypes
{
    public const string Text = "text";
    public const string RichText = "richText";
    public const string Number = "number";
    public const string Boolean = "boolean";
    public const string Date = "date";
    public const string Reference = "reference";
    public const string List = "list";
    public static readonly IReadOnlyList<string> All = [Text, RichText, Number, Boolean, Date, Reference, List];
    /// <summary>What a list may hold.</summary>
    public static readonly IReadOnlyList<string> ListItemTypes = [Text, Number, Boolean, Date, Reference];
}

/// <summary>One field of a content type. <see cref="Of"/> is a list's item type; <see cref="MaxLength"/> bounds text.</summary>
public sealed record ContentField(
    string Name,
    string Type,
    bool Required = false,
    [property: JsonPropertyName("of")] string? Of = null,
    int? MaxLength = null,
    string? Label = null);

/// <summary>Validates field schemas and the item data written against them.</summary>
public static class ContentSchema
{
    public const int MaxFields = 100;
    public const int MaxListItems = 1000;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static List<ContentField> ValidFields(IReadOnlyList<ContentField?>? fields, Dictionary<string, string[]> errors)
    {
        var result = new List<ContentField>();
        if (fields is null)
            return result;
        if (fields.Count > MaxFields)
        {
            errors["fields"] = [$"At most {MaxFields} fields."];
            return result;
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < fields.Count; i++)
        {
            var field = fields[i];
            var key = $"fields[{i}]";
            if (field is null || string.IsNullOrWhiteSpace(field.Name))
            {
                errors[key + ".name"] = ["Every field needs a name."];
                continue;
            }
            var name = field.Name.Trim();
            if (name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') || !char.IsAsciiLetter(name[0]))
                errors[key + ".name"] = ["Field names start with a letter and use letters, digits, '_' or '-' (at most 64)."];
            else if (!names.Add(name))
                errors[key + ".name"] = [$"The field name '{name}' is used twice."];
            if (!FieldTypes.All.Contains(field.Type, StringComparer.Ordinal))
                errors[key + ".type"] = [$"Unknown type '{field.Type}'. Types are: {string.Join(", ", FieldTypes.All)}."];
            if (field.Type == FieldTypes.List && field.Of is not null && !FieldTypes.ListItemTypes.Contains(field.Of, StringComparer.Ordinal))
                errors[key + ".of"] = [$"A list holds one of: {string.Join(", ", FieldTypes.ListItemTypes)}."];
            if (field.MaxLength is < 1 or > 1_000_000)
                errors[key + ".maxLength"] = ["maxLength must be between 1 and 1000000."];
            result.Add(field with { Name = name, Label = field.Label?.Trim() is { Length: > 0 } label ? label[..Math.Min(label.Length, 200)] : null });
        }
        return result;
    }

    public static string Serialize(IReadOnlyList<ContentField> fields) => JsonSerializer.Serialize(fields, Json);

    public static List<ContentField> Parse(string json) => JsonSerializer.Deserialize<List<ContentField>>(json, Json) ?? [];

    /// <summary>
    /// Checks item data against the fields: required fields present, values of the right JSON
    /// type, references pointing at items of the same website, no unknown fields.
    /// Returns per-field errors keyed <c>data.&lt;field&gt;</c>.
    /// </summary>
    public static Dictionary<string, string[]> ValidateData(IReadOnlyList<ContentField> fields, JsonElement data, Func<Guid, bool> referenceExists)
    {
        var errors = new Dictionary<string, string[]>();
        if (data.ValueKind != JsonValueKind.Object)
        {
            errors["data"] = ["data must be a JSON object."];
            return errors;
        }
        var known = fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
        foreach (var property in data.EnumerateObject())
        {
            if (!known.ContainsKey(property.Name))
                errors[$"data.{property.Name}"] = ["This content type has no such field."];
        }
        foreach (var field in fields)
        {
            var key = $"data.{field.Name}";
            if (!data.TryGetProperty(field.Name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                if (field.Required)
                    errors[key] = [$"{field.Label ?? field.Name} is required."];
                continue;
            }
            if (field.Type == FieldTypes.List)
            {
                if (value.ValueKind != JsonValueKind.Array)
                    errors[key] = ["Must be a list."];
                else if (value.GetArrayLength() > MaxListItems)
                    errors[key] = [$"At most {MaxListItems} entries."];
                else if (field.Required && value.GetArrayLength() == 0)
                    errors[key] = [$"{field.Label ?? field.Name} needs at least one entry."];
                else if (field.Of is { } itemType && value.EnumerateArray().Select(item => Check(itemType, item, field.MaxLength, referenceExists)).FirstOrDefault(e => e is not null) is { } itemError)
                    errors[key] = [$"Each entry: {itemError}"];
                continue;
            }
            if (Check(field.Type, value, field.MaxLength, referenceExists) is { } error)
                errors[key] = [error];
            else if (field.Required && field.Type is FieldTypes.Text or FieldTypes.RichText && string.IsNullOrWhiteSpace(value.GetString()))
                errors[key] = [$"{field.Label ?? field.Name} is required."];
        }
        return errors;
    }

    private static string? Check(string type, JsonElement value, int? maxLength, Func<Guid, bool> referenceExists) => type switch
    {
        FieldTypes.Text or FieldTypes.RichText => value.ValueKind != JsonValueKind.String ? "Must be text."
            : maxLength is { } max && value.GetString()!.Length > max ? $"At most {max} characters." : null,
        FieldTypes.Number => value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d) && double.IsFinite(d) ? null : "Must be a number.",
        FieldTypes.Boolean => value.ValueKind is JsonValueKind.True or JsonValueKind.False ? null : "Must be true or false.",
        FieldTypes.Date => value.ValueKind == JsonValueKind.String && DateTime.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _) ? null : "Must be an ISO 8601 date.",
        FieldTypes.Reference => value.ValueKind == JsonValueKind.String && Guid.TryParse(value.GetString(), out var id)
            ? (referenceExists(id) ? null : "No such item in this website.") : "Must be the id of an item.",
        _ => null,
    };

    public static ValidationFailedException Fail(Dictionary<string, string[]> errors) => new(errors);
}
