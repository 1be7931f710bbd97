using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Catalyst.Data.LegacyImport.Reading;

/// <summary>
/// Reads the old apps' browser-storage dumps (FORMAT.md): Dexie exports and localStorage dumps, told
/// apart by their first property. Streams through <see cref="JsonValueScanner"/>: one row in memory
/// at a time. A row that does not decode becomes a problem and the next row is read; a file that
/// ends early keeps the rows before the break and reports where it broke.
/// </summary>
public sealed class LegacyDumpReader(LegacyOptions options) : ILegacyDumpReader
{
    public LegacyDumpReader() : this(new LegacyOptions()) { }

    public async IAsyncEnumerable<LegacyItem> ReadAsync(LegacySourceFile file, [EnumeratorCancellation] CancellationToken ct)
    {
        var expansion = file.Expansion ?? new LegacyExpansionBudget(options);
        await using var stream = await file.OpenAsync(ct);
        var scanner = new JsonValueScanner(stream);
        var database = Path.GetFileNameWithoutExtension(file.Name);
        var table = "";
        IAsyncEnumerator<LegacyItem>? items = null;
        string? failure = null;
        try
        {
            await scanner.ExpectAsync((byte)'{', ct);
            if (!await scanner.NextItemAsync((byte)'}', first: true, ct))
                yield break;
            var firstName = await scanner.ReadNameAsync(ct);
            items = firstName == "formatName"
                ? ReadDexieAsync(file.Name, scanner, expansion, ct).GetAsyncEnumerator(ct)
                : ReadLocalStorageAsync(file.Name, firstName, scanner, ct).GetAsyncEnumerator(ct);
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException)
        {
            failure = ex.Message;
        }
        if (items is not null)
        {
            await using (items)
            {
                while (true)
                {
                    try
                    {
                        if (!await items.MoveNextAsync())
                            break;
                    }
                    catch (Exception ex) when (ex is InvalidDataException or JsonException or FormatException)
                    {
                        failure = ex.Message;
                        break;
                    }
                    if (items.Current is LegacyTableStarted started)
                    {
                        database = started.Table.Database;
                        table = started.Table.Name;
                    }
                    yield return items.Current;
                }
            }
        }
        if (failure is not null)
            yield return new LegacyProblemFound(new LegacyProblem(file.Name, database, table, null, failure + " The rows before it were read."));
    }

    private static async IAsyncEnumerable<LegacyItem> ReadDexieAsync(string file, JsonValueScanner scanner, LegacyExpansionBudget expansion, [EnumeratorCancellation] CancellationToken ct)
    {
        var format = ParseString(await scanner.ReadValueAsync(ct));
        if (format != "dexie")
            throw new InvalidDataException($"formatName is '{format}', not 'dexie'.");
        var databaseName = Path.GetFileNameWithoutExtension(file);
        var databaseVersion = 0;
        var tables = new Dictionary<string, (string Schema, int RowCount)>(StringComparer.Ordinal);
        while (await scanner.NextItemAsync((byte)'}', first: false, ct))
        {
            var name = await scanner.ReadNameAsync(ct);
            if (name != "data")
            {
                await scanner.SkipValueAsync(ct);
                continue;
            }
            await scanner.ExpectAsync((byte)'{', ct);
            var first = true;
            while (await scanner.NextItemAsync((byte)'}', first, ct))
            {
                first = false;
                var part = await scanner.ReadNameAsync(ct);
                switch (part)
                {
                    case "databaseName":
                        databaseName = ParseString(await scanner.ReadValueAsync(ct)) ?? databaseName;
                        break;
                    case "databaseVersion":
                        databaseVersion = (int)(TypesonDecoder.Number(JsonNode.Parse((await scanner.ReadValueAsync(ct)).Span)) ?? 0);
                        break;
                    case "tables":
                        using (var list = JsonDocument.Parse(await scanner.ReadValueAsync(ct)))
                        {
                            foreach (var t in list.RootElement.EnumerateArray())
                                tables[t.GetProperty("name").GetString() ?? ""] = (t.TryGetProperty("schema", out var s) ? s.GetString() ?? "" : "",
                                    t.TryGetProperty("rowCount", out var c) && c.TryGetInt32(out var n) ? n : -1);
                        }
                        break;
                    case "data":
                        await scanner.ExpectAsync((byte)'[', ct);
                        var firstTable = true;
                        while (await scanner.NextItemAsync((byte)']', firstTable, ct))
                        {
                            firstTable = false;
                            await foreach (var item in ReadTableAsync(file, databaseName, databaseVersion, tables, scanner, expansion, ct))
                                yield return item;
                        }
                        break;
                    default:
                        await scanner.SkipValueAsync(ct);
                        break;
                }
            }
        }
    }

    private static async IAsyncEnumerable<LegacyItem> ReadTableAsync(string file, string database, int version,
        Dictionary<string, (string Schema, int RowCount)> tables, JsonValueScanner scanner, LegacyExpansionBudget expansion, [EnumeratorCancellation] CancellationToken ct)
    {
        await scanner.ExpectAsync((byte)'{', ct);
        var tableName = "";
        var inbound = true;
        var first = true;
        while (await scanner.NextItemAsync((byte)'}', first, ct))
        {
            first = false;
            var name = await scanner.ReadNameAsync(ct);
            if (name == "tableName")
                tableName = ParseString(await scanner.ReadValueAsync(ct)) ?? "";
            else if (name == "inbound")
                inbound = (await scanner.ReadValueAsync(ct)).Span.SequenceEqual("true"u8);
            else if (name != "rows")
                await scanner.SkipValueAsync(ct);
            else
            {
                var (schema, rowCount) = tables.GetValueOrDefault(tableName, ("", -1));
                yield return new LegacyTableStarted(new LegacyTable(file, database, version, tableName, schema, inbound, rowCount));
                var keyPath = KeyPath(schema);
                await scanner.ExpectAsync((byte)'[', ct);
                var firstRow = true;
                var index = 0;
                while (await scanner.NextItemAsync((byte)']', firstRow, ct))
                {
                    firstRow = false;
                    var raw = await scanner.ReadValueAsync(ct);
                    yield return DecodeRow(file, database, tableName, inbound, keyPath, raw, index++, expansion);
                }
            }
        }
    }

    private static LegacyItem DecodeRow(string file, string database, string table, bool inbound, string[] keyPath, ReadOnlyMemory<byte> raw, int index,
        LegacyExpansionBudget expansion)
    {
        try
        {
            var decoded = TypesonDecoder.Decode(raw, expansion);
            JsonNode? value;
            JsonNode? key;
            var blobs = decoded.Blobs;
            if (inbound)
            {
                value = decoded.Root;
                key = KeyOf(value, keyPath);
                if (key is null)
                    return new LegacyProblemFound(new LegacyProblem(file, database, table, $"#{index}", "The row has no primary key."));
            }
            else
            {
                if (decoded.Root is not JsonArray { Count: 2 } tuple)
                    return new LegacyProblemFound(new LegacyProblem(file, database, table, $"#{index}", "An outbound row is not a [key, value] pair."));
                key = tuple[0];
                value = tuple[1];
                tuple.RemoveAt(1); // the value leaves the tuple (no copy)
                // Paths in an outbound row start at the tuple: "1…" is the value.
                blobs = [.. blobs.Select(b => b with { Path = b.Path == "1" ? "" : b.Path.StartsWith("1.", StringComparison.Ordinal) ? b.Path[2..] : b.Path })];
            }
            return new LegacyRowRead(new LegacyRow(file, database, table, TypesonDecoder.KeyText(key), LegacyValueKind.Row, value, blobs));
        }
        catch (LegacyExpansionException ex)
        {
            // The key is read from the row as it was before its references were copied.
            var key = inbound ? KeyOf(ex.Row, keyPath) : (ex.Row as JsonArray)?.FirstOrDefault();
            return new LegacyProblemFound(new LegacyProblem(file, database, table, key is null ? $"#{index}" : TypesonDecoder.KeyText(key), ex.Message));
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or ArgumentException)
        {
            var reason = ex.Message.Contains("depth", StringComparison.OrdinalIgnoreCase)
                ? $"The row is nested deeper than {TypesonDecoder.MaxDepth} levels."
                : $"The row could not be decoded: {ex.Message}";
            return new LegacyProblemFound(new LegacyProblem(file, database, table, $"#{index}", reason));
        }
    }

    /// <summary>An inbound row's primary key: one property, or the array of a compound key's parts.</summary>
    private static JsonNode? KeyOf(JsonNode? value, string[] keyPath) => keyPath.Length switch
    {
        0 => null,
        1 => At(value, keyPath[0]),
        _ => new JsonArray([.. keyPath.Select(k => At(value, k)?.DeepClone())]),
    };

    private static JsonNode? At(JsonNode? value, string path)
    {
        foreach (var part in path.Split('.'))
            value = value is JsonObject obj ? obj[part] : null;
        return value;
    }

    /// <summary>The primary key of a Dexie schema: "id", "++id", "&amp;id", "[a+b]" (compound), or empty (outbound).</summary>
    private static string[] KeyPath(string schema)
    {
        var primary = schema.Split(',')[0].Trim().TrimStart('+', '&', '*');
        if (primary.Length == 0)
            return [];
        return primary.StartsWith('[') ? primary.Trim('[', ']').Split('+') : [primary];
    }

    private static string? ParseString(ReadOnlyMemory<byte> raw) =>
        raw.Length >= 2 && raw.Span[0] == '"' ? JsonStrings.Unescape(raw.Span[1..^1]) : null;

    private static async IAsyncEnumerable<LegacyItem> ReadLocalStorageAsync(string file, string firstKey, JsonValueScanner scanner, [EnumeratorCancellation] CancellationToken ct)
    {
        var name = Path.GetFileNameWithoutExtension(file);
        var database = name.StartsWith("localStorage.", StringComparison.Ordinal) ? name : $"localStorage.{name}";
        yield return new LegacyTableStarted(new LegacyTable(file, database, 0, "localStorage", "", true, -1));
        var key = firstKey;
        while (true)
        {
            var raw = await scanner.ReadValueAsync(ct);
            yield return ParseString(raw) is { } text
                ? new LegacyRowRead(new LegacyRow(file, database, "localStorage", key, Classify(text, out var value), value, []))
                : new LegacyProblemFound(new LegacyProblem(file, database, "localStorage", key, "A localStorage value is not a string."));
            if (!await scanner.NextItemAsync((byte)'}', first: false, ct))
                yield break;
            key = await scanner.ReadNameAsync(ct);
        }
    }

    /// <summary>What a localStorage string holds (FORMAT.md §2), decided per value.</summary>
    public static LegacyValueKind Classify(string text, out JsonNode? value)
    {
        var parsed = TryParse(text, out var node);
        if (!parsed)
        {
            value = JsonValue.Create(text);
            var trimmed = text.TrimStart();
            return trimmed.StartsWith('{') || trimmed.StartsWith('[') || trimmed.StartsWith('"') ? LegacyValueKind.Malformed : LegacyValueKind.PlainString;
        }
        if (node is JsonObject obj && obj.ContainsKey("state") && obj.ContainsKey("version") && obj.Count == 2)
        {
            value = node;
            return LegacyValueKind.ZustandStore;
        }
        if (node is JsonValue inner && inner.TryGetValue<string>(out var innerText) && TryParse(innerText, out var twice) && twice is JsonObject or JsonArray)
        {
            value = twice;
            return LegacyValueKind.DoubleEncodedJson;
        }
        value = node;
        return LegacyValueKind.Json;
    }

    private static bool TryParse(string text, out JsonNode? node)
    {
        node = null;
        try
        {
            node = TypesonDecoder.Parse(Encoding.UTF8.GetBytes(text));
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
