using System.Text.Json;
using System.Text.Json.Nodes;

namespace Catalyst.Data.Common;

/// <summary>
/// What System.Text.Json parses lazily but Catalyst must refuse at the door: strings that are not
/// valid UTF-8, strings with unpaired UTF-16 surrogates (they cannot be stored or sent back as UTF-8
/// faithfully), and objects naming a property twice (which value wins differs between parsers).
/// A document that passes can be stored, re-read and re-written without an exception.
/// </summary>
public static class WellFormedJson
{
    /// <summary>Throws <see cref="JsonException"/> naming the first problem in <paramref name="element"/>.</summary>
    public static void Check(JsonElement element, string path = "$")
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    var name = Decode(() => property.Name, path);
                    if (!names.Add(name))
                        throw new JsonException($"The property '{name}' appears twice in the same object.", path, null, null);
                    Check(property.Value, path + "." + name);
                }
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                    Check(item, $"{path}[{index++}]");
                break;
            case JsonValueKind.String:
                Decode(element.GetString, path);
                break;
        }
    }

    /// <summary>The same check for a parsed node (parse with duplicate properties refused: a node keeps only one).</summary>
    public static void Check(JsonNode? node, string path = "$")
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj)
                {
                    if (!IsWellFormed(name))
                        throw new JsonException("A property name holds an unpaired UTF-16 surrogate.", path, null, null);
                    Check(value, path + "." + name);
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                    Check(array[i], $"{path}[{i}]");
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                Decode(value.GetValue<string>, path);
                break;
        }
    }

    /// <summary>False for strings with unpaired UTF-16 surrogates.</summary>
    public static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                    return false;
                i++;
            }
            else if (char.IsLowSurrogate(text[i]))
                return false;
        }
        return true;
    }

    private static string Decode(Func<string?> read, string path)
    {
        string? text;
        try
        {
            text = read();
        }
        catch (InvalidOperationException)
        {
            throw new JsonException("A string is not valid UTF-8.", path, null, null);
        }
        if (text is not null && !IsWellFormed(text))
            throw new JsonException("A string holds an unpaired UTF-16 surrogate.", path, null, null);
        return text ?? "";
    }
}
