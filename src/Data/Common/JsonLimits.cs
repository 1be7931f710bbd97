using System.Text.Json;
using System.Text.Json.Nodes;

namespace Catalyst.Data.Common;

/// <summary>
/// The one nesting limit of Catalyst's JSON (SPEC §16): whatever a reader accepts, a writer can
/// store and read back, so no serializer default (System.Text.Json's is 64) sits below a reader's
/// limit. A <em>value</em> (a content item's data, metadata, preferences, settings, a legacy row) is
/// at most <see cref="MaxDepth"/> deep, and that is what readers of values refuse past. What carries
/// values gets fixed room for its envelope: a website data section (the legacy migration's tables of
/// rows) <see cref="SectionDepth"/>, a document (request and response bodies, backups, job results)
/// <see cref="DocumentDepth"/>.
/// </summary>
public static class JsonLimits
{
    public const int MaxDepth = 512;
    public const int SectionDepth = MaxDepth + 8;
    public const int DocumentDepth = MaxDepth + 16;

    /// <summary>For parsing a stored value (it was at most <see cref="MaxDepth"/> deep when it was accepted).</summary>
    public static readonly JsonDocumentOptions Value = new() { MaxDepth = MaxDepth };

    /// <summary>For reading and writing documents through System.Text.Json (Web defaults).</summary>
    public static readonly JsonSerializerOptions Documents = new(JsonSerializerOptions.Web) { MaxDepth = DocumentDepth };

    /// <summary>A stored value as an element (the API's DTOs carry them so).</summary>
    public static JsonElement ParseValue(string json)
    {
        using var document = JsonDocument.Parse(json, Value);
        return document.RootElement.Clone();
    }

    /// <summary>How deep <paramref name="element"/> nests: 0 for a scalar, 1 for <c>{}</c> or <c>[1]</c>.</summary>
    public static int DepthOf(JsonElement element)
    {
        var deepest = 0;
        var pending = new Stack<(JsonElement Element, int Depth)>();
        pending.Push((element, 0));
        while (pending.Count > 0)
        {
            var (current, depth) = pending.Pop();
            if (current.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
                continue;
            deepest = Math.Max(deepest, depth + 1);
            if (current.ValueKind == JsonValueKind.Object)
                foreach (var property in current.EnumerateObject())
                    pending.Push((property.Value, depth + 1));
            else
                foreach (var item in current.EnumerateArray())
                    pending.Push((item, depth + 1));
        }
        return deepest;
    }

    /// <summary>How deep <paramref name="node"/> nests, counted as <see cref="DepthOf(JsonElement)"/> does.</summary>
    public static int DepthOf(JsonNode? node)
    {
        var deepest = 0;
        var pending = new Stack<(JsonNode? Node, int Depth)>();
        pending.Push((node, 0));
        while (pending.Count > 0)
        {
            var (current, depth) = pending.Pop();
            switch (current)
            {
                case JsonObject obj:
                    deepest = Math.Max(deepest, depth + 1);
                    foreach (var (_, value) in obj)
                        pending.Push((value, depth + 1));
                    break;
                case JsonArray array:
                    deepest = Math.Max(deepest, depth + 1);
                    foreach (var item in array)
                        pending.Push((item, depth + 1));
                    break;
            }
        }
        return deepest;
    }

    /// <summary>Throws <see cref="JsonException"/> when <paramref name="element"/> nests deeper than a value may.</summary>
    public static void CheckValueDepth(JsonElement element, string what = "The JSON value")
    {
        if (DepthOf(element) > MaxDepth)
            throw new JsonException($"{what} is nested deeper than {MaxDepth} levels.");
    }
}
