using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Catalyst.Data.Common;
using Catalyst.Data.Websites;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Websites;

/// <summary>
/// Creates (<c>?type=</c>) or edits a content item through a form generated from its type's
/// fields. The form's strings become the item's JSON here; whether they are valid is the
/// service's call (ContentSchema), and its <c>data.&lt;field&gt;</c> errors are shown next to each input.
/// </summary>
public partial class ContentItemModel(WebsiteService websites, ContentModelService content) : PageModel
{
    /// <summary>The content type of a new item.</summary>
    [BindProperty(SupportsGet = true, Name = "type")]
    public Guid? TypeId { get; set; }

    /// <summary>What each field's input holds, by field name (a checkbox sends "true"; a list, one entry per line).</summary>
    [BindProperty]
    public Dictionary<string, string?> Values { get; set; } = new(StringComparer.Ordinal);

    [BindProperty]
    public ContentItemStatus Status { get; set; } = ContentItemStatus.Draft;

    [BindProperty]
    public long Version { get; set; }

    public Website Website { get; private set; } = null!;
    public ContentType Type { get; private set; } = null!;
    public IReadOnlyList<ContentField> Fields { get; private set; } = [];
    public ContentItem? Item { get; private set; }
    public IReadOnlyList<(Guid Id, string Title)> ReferenceChoices { get; private set; } = [];
    /// <summary>Data the item holds for fields its type no longer has (saving drops it).</summary>
    public IReadOnlyList<string> OrphanFields { get; private set; } = [];
    public bool Conflict { get; private set; }

    public static string InputName(ContentField field) => $"Values[{field.Name}]";

    public string? ValueOf(ContentField field) => Values.GetValueOrDefault(field.Name);

    public async Task<IActionResult> OnGetAsync(Guid id, Guid? itemId, CancellationToken ct)
    {
        if (await LoadAsync(id, itemId, ct) is { } redirect)
            return redirect;
        if (Item is not null)
        {
            Values = FormValues(Fields, Item.Data);
            Status = Item.Status;
            Version = Item.Version;
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, Guid? itemId, CancellationToken ct)
    {
        if (await LoadAsync(id, itemId, ct) is { } redirect)
            return redirect;
        var input = new ContentItemInput(Type.Id, ToJson(Fields, Values), Status);
        try
        {
            var actor = User.ToActor();
            _ = Item is null
                ? await content.CreateItemAsync(actor, id, input, ct)
                : await content.UpdateItemAsync(actor, id, Item.Id, Version, input, ct);
            TempData["Flash"] = $"The {Type.Name} item was {(Item is null ? "created" : "saved")}.";
            return Redirect($"/Websites/Details/{id}?tab=items");
        }
        catch (ValidationFailedException ex)
        {
            foreach (var (key, messages) in ex.Errors)
            {
                var field = key.StartsWith("data.", StringComparison.Ordinal) ? Fields.FirstOrDefault(f => f.Name == key[5..]) : null;
                foreach (var message in messages)
                    ModelState.AddModelError(field is null ? "" : InputName(field), field is null && key.StartsWith("data.", StringComparison.Ordinal) ? $"{key[5..]}: {message}" : message);
            }
        }
        catch (VersionConflictException)
        {
            Conflict = true;
            Item = await content.GetItemAsync(User.ToActor(), id, Item!.Id, ct);
            Response.StatusCode = StatusCodes.Status409Conflict;
        }
        return Page();
    }

    /// <summary>Loads the website, the item and its type, and the items a reference may point at.</summary>
    private async Task<IActionResult?> LoadAsync(Guid id, Guid? itemId, CancellationToken ct)
    {
        ViewData["Section"] = "Websites";
        var actor = User.ToActor();
        Website = await websites.GetAsync(actor, id, ct);
        if (itemId is { } existing)
        {
            Item = await content.GetItemAsync(actor, id, existing, ct);
            TypeId = Item.ContentTypeId;
        }
        if (TypeId is not { } typeId)
        {
            TempData["Flash"] = "Choose the content type of the new item.";
            return Redirect($"/Websites/Details/{id}?tab=items");
        }
        Type = await content.GetTypeAsync(actor, id, typeId, ct);
        Fields = ContentSchema.Parse(Type.Fields);
        if (Item is not null)
        {
            using var data = JsonDocument.Parse(Item.Data, JsonLimits.Value);
            OrphanFields = data.RootElement.ValueKind == JsonValueKind.Object
                ? data.RootElement.EnumerateObject().Select(p => p.Name).Where(n => Fields.All(f => f.Name != n)).ToList()
                : [];
        }
        if (Fields.Any(f => f.Type == FieldTypes.Reference || f.Of == FieldTypes.Reference))
        {
            var types = await content.ListTypesAsync(actor, id, ct);
            var items = await content.ListItemsAsync(actor, id, new ContentItemQuery(), new PageRequest(1, PageRequest.MaxPageSize), ct);
            ReferenceChoices = items.Items.Where(i => i.Id != Item?.Id)
                .Select(i => (i.Id, $"{ContentItemLabels.Title(i, types.FirstOrDefault(t => t.Id == i.ContentTypeId))} ({types.FirstOrDefault(t => t.Id == i.ContentTypeId)?.Name})"))
                .ToList();
        }
        return null;
    }

    /// <summary>The inputs' strings as the item's JSON data; what does not parse is passed on as text for the schema to refuse.</summary>
    public static JsonElement ToJson(IReadOnlyList<ContentField> fields, IReadOnlyDictionary<string, string?> values)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var field in fields)
            {
                var raw = values.GetValueOrDefault(field.Name);
                if (field.Type == FieldTypes.Boolean)
                {
                    writer.WriteBoolean(field.Name, string.Equals(raw, "true", StringComparison.OrdinalIgnoreCase));
                    continue;
                }
                if (field.Type == FieldTypes.List)
                {
                    var entries = (raw ?? "").Split('\n').Select(e => e.Trim()).Where(e => e.Length > 0).ToList();
                    if (entries.Count == 0)
                        continue;
                    writer.WriteStartArray(field.Name);
                    foreach (var entry in entries)
                        WriteValue(writer, field.Of, entry);
                    writer.WriteEndArray();
                    continue;
                }
                var text = field.Type is FieldTypes.Text or FieldTypes.RichText ? raw : raw?.Trim();
                if (string.IsNullOrEmpty(text))
                    continue;
                writer.WritePropertyName(field.Name);
                WriteValue(writer, field.Type, text);
            }
            writer.WriteEndObject();
        }
        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }

    private static void WriteValue(Utf8JsonWriter writer, string? type, string text)
    {
        switch (type)
        {
            case FieldTypes.Number when decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number):
                writer.WriteNumberValue(number);
                break;
            case FieldTypes.Number when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var large) && double.IsFinite(large):
                writer.WriteNumberValue(large);
                break;
            case FieldTypes.Boolean when bool.TryParse(text, out var flag):
                writer.WriteBooleanValue(flag);
                break;
            case null when text[0] is '{' or '[' && TryParse(text) is { } json:
                json.WriteTo(writer); // a list of anything keeps structured entries
                break;
            default:
                writer.WriteStringValue(text);
                break;
        }
    }

    private static JsonElement? TryParse(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The item's data as the inputs show it.</summary>
    public static Dictionary<string, string?> FormValues(IReadOnlyList<ContentField> fields, string data)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(data, JsonLimits.Value);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
            return values;
        foreach (var field in fields)
        {
            if (!document.RootElement.TryGetProperty(field.Name, out var value) || value.ValueKind == JsonValueKind.Null)
                continue;
            values[field.Name] = field.Type switch
            {
                FieldTypes.Boolean => value.ValueKind == JsonValueKind.True ? "true" : null,
                FieldTypes.List when value.ValueKind == JsonValueKind.Array =>
                    string.Join('\n', value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText())),
                _ => value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText(),
            };
        }
        return values;
    }

    /// <summary>A date input can show a plain date; anything else (a time, an offset) is shown as text so it is not lost.</summary>
    public static bool IsPlainDate(string? value) => string.IsNullOrEmpty(value) || PlainDate().IsMatch(value);

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$")]
    private static partial Regex PlainDate();
}
