using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Catalyst.Data.LegacyImport.Reading;

/// <summary>
/// Undoes typeson's encapsulation of one exported row (FORMAT.md §1): unwraps <c>{"$", "$types"}</c>,
/// replaces each key path's JSON stand-in by its value (dates as ISO strings, binaries moved out
/// as <see cref="LegacyBlob"/>s with a placeholder, undefined dropped) and resolves '#' references
/// last, against the decoded row. Stand-ins of types the apps never used are left as they are.
/// </summary>
public static class TypesonDecoder
{
    /// <summary>
    /// Deeper rows are reported as problems instead of decoded (JSON itself sets no limit; a stack does).
    /// The limit of every JSON value Catalyst stores, so whatever is read here can be written and read back.
    /// </summary>
    public const int MaxDepth = Common.JsonLimits.MaxDepth;

    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = MaxDepth, AllowTrailingCommas = false };

    public sealed record Decoded(JsonNode? Root, IReadOnlyList<LegacyBlob> Blobs, IReadOnlyList<string> Notes);

    /// <summary>Parses and decodes a row's bytes with a budget of its own (the defaults of <see cref="LegacyOptions"/>).</summary>
    public static Decoded Decode(ReadOnlyMemory<byte> json) => Decode(json, new LegacyExpansionBudget(new LegacyOptions()));

    /// <summary>
    /// Parses and decodes a row's bytes. What its '#' references copy is counted against
    /// <paramref name="expansion"/> before it is copied: past it, <see cref="LegacyExpansionException"/>.
    /// </summary>
    public static Decoded Decode(ReadOnlyMemory<byte> json, LegacyExpansionBudget expansion)
    {
        expansion.BeginRow();
        using var document = JsonDocument.Parse(json, ParseOptions);
        var row = ToNode(document.RootElement);
        JsonNode? root;
        JsonObject? types = null;
        if (row is JsonObject obj && obj.Count == 2 && obj.ContainsKey("$") && obj["$types"] is { } wrapper &&
            (wrapper is JsonObject { Count: 1 } w && w.ContainsKey("$") || wrapper.GetValueKind() == JsonValueKind.True))
        {
            root = obj["$"];
            obj.Remove("$");
            types = (wrapper as JsonObject)?["$"] as JsonObject;
        }
        else if (row is JsonObject plain && plain["$types"] is JsonObject own)
        {
            plain.Remove("$types");
            root = plain;
            types = own;
        }
        else
        {
            root = row;
        }
        var holder = new JsonArray(root); // a parent for the root, so the root can be replaced like any value
        var blobs = new List<LegacyBlob>();
        var notes = new List<string>();
        if (types is null)
            return Done(holder, blobs, notes, expansion);

        var entries = types.Select(t => (Path: t.Key, Type: t.Value?.GetValue<string>() ?? "")).ToList();
        var typedArrays = entries.Where(e => IsTypedArray(e.Type)).Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var (path, type) in entries.Where(e => e.Type != "#"))
        {
            if (type == "arrayNonindexKeys" || (path.EndsWith(".buffer", StringComparison.Ordinal) && typedArrays.Contains(path[..^".buffer".Length])))
                continue;
            if (!TryLocate(holder, path, out var parent, out var key))
            {
                notes.Add($"$types names '{path}', which the row does not have.");
                continue;
            }
            var standIn = Get(parent, key);
            switch (type)
            {
                case "date":
                    Set(parent, key, DateOf(standIn));
                    break;
                case "blob2":
                    Set(parent, key, Blob(blobs, path, standIn?["type"]?.GetValue<string>() ?? "", Base64(standIn?["data"])));
                    break;
                case "arraybuffer":
                    Set(parent, key, Blob(blobs, path, null, Base64(standIn)));
                    break;
                case "undef":
                    Remove(parent, key);
                    break;
                case "nan" or "infinity" or "negativeInfinity" or "set" or "map":
                    break; // the stand-ins ("NaN", arrays of members or pairs) are the values we keep
                default:
                    if (IsTypedArray(type))
                    {
                        var buffer = Base64(standIn?["buffer"]);
                        var offset = Number(standIn?["byteOffset"]) is { } o ? (int)o : 0;
                        var length = Number(standIn?["length"]) is { } l ? (int)l * ElementSize(type) : buffer.Length - offset;
                        Set(parent, key, Blob(blobs, path, null, buffer.AsSpan(offset, Math.Min(length, buffer.Length - offset)).ToArray()));
                    }
                    else
                        notes.Add($"'{path}' holds a {type}, kept as its JSON stand-in.");
                    break;
            }
        }
        foreach (var (path, _) in entries.Where(e => e.Type == "#"))
        {
            if (!TryLocate(holder, path, out var parent, out var key) || Get(parent, key)?.GetValue<string>() is not { Length: > 1 } reference)
                continue;
            var target = reference[1..];
            if (TryLocate(holder, target, out var targetParent, out var targetKey))
            {
                // A copy of a part that holds resolved references copies them too: counted before it is made.
                var copied = Get(targetParent, targetKey);
                expansion.Spend(copied, holder[0]);
                Set(parent, key, copied?.DeepClone());
            }
            else
                notes.Add($"'{path}' refers to '{target}', which the row does not have.");
        }
        return Done(holder, blobs, notes, expansion);
    }

    /// <summary>The root, taken out of its holder (no copy), and the row's expansion kept on the budget.</summary>
    private static Decoded Done(JsonArray holder, List<LegacyBlob> blobs, List<string> notes, LegacyExpansionBudget expansion)
    {
        var root = holder[0];
        holder.RemoveAt(0);
        expansion.EndRow();
        return new Decoded(root, blobs, notes);
    }

    /// <summary>Plain JSON (no typeson) as nodes, lone surrogates kept.</summary>
    public static JsonNode? Parse(ReadOnlyMemory<byte> json)
    {
        using var document = JsonDocument.Parse(json, ParseOptions);
        return ToNode(document.RootElement);
    }

    /// <summary>The stable text of a key (FORMAT.md key order: numbers, dates, strings, binary, arrays): strings as they are, numbers as JavaScript prints them, arrays as JSON of their parts.</summary>
    public static string KeyText(JsonNode? key) => key switch
    {
        null => "null",
        JsonArray array => "[" + string.Join(',', array.Select(k => { var sb = new System.Text.StringBuilder(); JsonStrings.Write(sb, KeyText(k)); return sb.ToString(); })) + "]",
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        JsonValue value when Number(value) is { } number => number.ToString("R", CultureInfo.InvariantCulture),
        _ => key.ToJsonString(),
    };

    /// <summary>A number node's value, whichever CLR type holds it.</summary>
    public static double? Number(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<long>(out var whole) => whole,
        JsonValue v when v.TryGetValue<double>(out var real) => real,
        JsonValue v when v.TryGetValue<int>(out var small) => small,
        _ => null,
    };

    private static JsonNode? ToNode(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => new JsonObject(element.EnumerateObject().Select(p => KeyValuePair.Create(JsonStrings.NameOf(p), ToNode(p.Value)))),
        JsonValueKind.Array => new JsonArray([.. element.EnumerateArray().Select(ToNode)]),
        JsonValueKind.String => JsonValue.Create(JsonStrings.Of(element)),
        JsonValueKind.Number => element.TryGetInt64(out var whole) ? JsonValue.Create(whole) : JsonValue.Create(element.GetDouble()),
        JsonValueKind.True => JsonValue.Create(true),
        JsonValueKind.False => JsonValue.Create(false),
        _ => null,
    };

    private static JsonNode? DateOf(JsonNode? standIn)
    {
        if (Number(standIn) is { } ms && ms is >= -62135596800000 and <= 253402300799999)
            return JsonValue.Create(DateTimeOffset.FromUnixTimeMilliseconds((long)ms).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
        return null; // "NaN": an Invalid Date (or one outside what any calendar here holds)
    }

    private static JsonObject Blob(List<LegacyBlob> blobs, string path, string? type, byte[] bytes)
    {
        blobs.Add(new LegacyBlob(UnescapePath(path), type, bytes));
        var placeholder = new JsonObject { ["$blob"] = blobs.Count - 1, ["size"] = bytes.Length };
        if (type is not null)
            placeholder["type"] = type;
        return placeholder;
    }

    private static byte[] Base64(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? Convert.FromBase64String(text) : [];

    private static bool IsTypedArray(string type)
    {
        var name = type.EndsWith('2') ? type[..^1] : type;
        return name is "int8array" or "uint8array" or "uint8clampedarray" or "int16array" or "uint16array" or "int32array" or "uint32array"
            or "float32array" or "float64array" or "bigint64array" or "biguint64array";
    }

    private static int ElementSize(string type) => type.TrimEnd('2') switch
    {
        "int16array" or "uint16array" => 2,
        "int32array" or "uint32array" or "float32array" => 4,
        "float64array" or "bigint64array" or "biguint64array" => 8,
        _ => 1,
    };

    /// <summary>Path parts are joined by '.', with '~' written '~0' and '.' written '~1' inside a part.</summary>
    private static string[] Parts(string path) =>
        path.Length == 0 ? [] : path.Split('.').Select(p => p.Replace("~1", ".", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();

    private static string UnescapePath(string path) => string.Join('.', Parts(path));

    /// <summary>Finds the container holding <paramref name="path"/> (the holder's slot 0 for the root).</summary>
    private static bool TryLocate(JsonArray holder, string path, out JsonNode parent, out string key)
    {
        parent = holder;
        key = "0";
        foreach (var part in Parts(path))
        {
            var next = Get(parent, key);
            if (next is not (JsonObject or JsonArray))
                return false;
            parent = next;
            key = part;
            if (next is JsonObject o && !o.ContainsKey(part))
                return false;
            if (next is JsonArray a && (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index >= a.Count))
                return false;
        }
        return true;
    }

    private static JsonNode? Get(JsonNode parent, string key) =>
        parent is JsonArray array ? array[int.Parse(key, CultureInfo.InvariantCulture)] : parent[key];

    private static void Set(JsonNode parent, string key, JsonNode? value)
    {
        if (parent is JsonArray array)
            array[int.Parse(key, CultureInfo.InvariantCulture)] = value;
        else
            parent[key] = value;
    }

    private static void Remove(JsonNode parent, string key)
    {
        if (parent is JsonObject obj)
            obj.Remove(key);
        else
            Set(parent, key, null);
    }
}
