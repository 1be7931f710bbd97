using System.Text.Json;
using Catalyst.Data.Common;
using Catalyst.Data.Websites;

namespace Catalyst.Portal.Pages.Websites;

/// <summary>How an item is named in lists and reference pickers: its first non-empty text field, else its id.</summary>
public static class ContentItemLabels
{
    public static string Title(ContentItem item, ContentType? type)
    {
        if (type is not null)
        {
            using var data = JsonDocument.Parse(item.Data, JsonLimits.Value);
            foreach (var field in ContentSchema.Parse(type.Fields).Where(f => f.Type is FieldTypes.Text))
            {
                if (data.RootElement.TryGetProperty(field.Name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text)
                    return text.Length > 80 ? text[..80] + "…" : text;
            }
        }
        return $"Item {item.Id.ToString()[..8]}";
    }
}
