using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Catalyst.Data.LegacyImport.Reading;

namespace Catalyst.Tests.Unit.LegacyImport;

/// <summary>
/// A test-only reader for mapping tests that need rows no library would make: a file is
/// <c>{"database", "tables": [{"name", "inbound", "rows": [{"key", "value", "blobs": [{"path", "type", "base64"}]}]}], "problems": [...]}</c>,
/// already decoded, so the mapping can be tested on its own. Any other file (the library-made
/// fixtures, a real dump) goes to the real <see cref="LegacyDumpReader"/>.
/// </summary>
public sealed class FakeLegacyReader : ILegacyDumpReader
{
    private static readonly LegacyDumpReader Real = new();

    public async IAsyncEnumerable<LegacyItem> ReadAsync(LegacySourceFile file, [EnumeratorCancellation] CancellationToken ct)
    {
        JsonObject root;
        await using (var stream = await file.OpenAsync(ct))
        {
            try
            {
                root = JsonNode.Parse(stream) as JsonObject ?? throw new System.Text.Json.JsonException("not an object");
            }
            catch (System.Text.Json.JsonException ex)
            {
                root = new JsonObject { ["problem"] = ex.Message };
            }
        }
        if (root["problem"] is not null || root["database"] is null || root["tables"] is null)
        {
            await foreach (var item in Real.ReadAsync(file, ct))
                yield return item;
            yield break;
        }
        var database = (string)root["database"]!;
        var kind = database.StartsWith("localStorage.", StringComparison.Ordinal);
        foreach (var table in root["tables"]!.AsArray().Select(t => t!.AsObject()))
        {
            var name = (string)table["name"]!;
            var rows = table["rows"]!.AsArray();
            yield return new LegacyTableStarted(new LegacyTable(file.Name, database, 1, name, "", table["inbound"]?.GetValue<bool>() ?? true, kind ? -1 : rows.Count));
            foreach (var row in rows.Select(r => r!.AsObject()))
            {
                var blobs = (row["blobs"]?.AsArray() ?? []).Select(b => new LegacyBlob((string)b!["path"]!, (string?)b["type"], Convert.FromBase64String((string)b["base64"]!))).ToList();
                var valueKind = Enum.Parse<LegacyValueKind>((string?)row["kind"] ?? "Row");
                yield return new LegacyRowRead(new LegacyRow(file.Name, database, name, (string)row["key"]!, valueKind, row["value"]?.DeepClone(), blobs));
            }
        }
        foreach (var problem in root["problems"]?.AsArray() ?? [])
            yield return new LegacyProblemFound(new LegacyProblem(file.Name, database, (string)problem!["table"]!, (string?)problem["key"], (string)problem["message"]!));
    }
}
