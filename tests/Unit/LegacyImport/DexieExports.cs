using System.Text;
using System.Text.Json.Nodes;

namespace Catalyst.Tests.Unit.LegacyImport;

/// <summary>
/// Dexie export files written by hand (FORMAT.md §1), for rows no library would make: reference
/// bombs, rows nested past the reader's limit. Rows are given as their JSON text, typeson
/// <c>$types</c> included.
/// </summary>
internal static class DexieExports
{
    public sealed record Table(string Name, string Schema, params string[] Rows);

    public static byte[] Export(string database, params Table[] tables)
    {
        var text = new StringBuilder()
            .Append("""{"formatName":"dexie","formatVersion":1,"data":{"databaseName":""").Append(JsonValue.Create(database).ToJsonString())
            .Append(""","databaseVersion":1,"tables":[""")
            .AppendJoin(',', tables.Select(t => new JsonObject { ["name"] = t.Name, ["schema"] = t.Schema, ["rowCount"] = t.Rows.Length }.ToJsonString()))
            .Append("""],"data":[""")
            .AppendJoin(',', tables.Select(t => $$"""{"tableName":{{JsonValue.Create(t.Name).ToJsonString()}},"inbound":true,"rows":[{{string.Join(',', t.Rows)}}]}"""))
            .Append("]}}");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>
    /// A website (catalyst_global) with one content type and the given content items, as the two
    /// files a migration needs.
    /// </summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> Website(string websiteId, params string[] items) =>
    [
        ("catalyst_global.json", Export("catalyst_global",
            new Table("websites", "id,name,category,updatedAt", $$"""{"id":"{{websiteId}}","name":"Site {{websiteId}}"}"""))),
        ($"website_{websiteId}_content.json", Export($"website_{websiteId}_content",
            new Table("contentTypes", "id,name,updatedAt", """{"id":"t1","name":"Post","slug":"post","schema":{"fields":[{"name":"title","type":"text"}]}}"""),
            new Table("contentItems", "id,contentTypeId,status,updatedAt", items))),
    ];

    /// <summary>A plain content item of type t1.</summary>
    public static string Item(string id, string data = """{"title":"fine"}""") =>
        $$"""{"id":"{{id}}","contentTypeId":"t1","status":"published","data":{{data}}}""";

    /// <summary>
    /// A typeson reference bomb (SPEC §16): the item's data is <paramref name="levels"/> levels deep,
    /// each level (an object, every other one an array) holding the level below once and a '#'
    /// reference to it once, so the row is under 2 KB and decodes to 2^levels leaves. The
    /// references are listed deepest first, as typeson writes them, so each copy copies the copies
    /// below it.
    /// </summary>
    public static string ReferenceBomb(string id, int levels = 20)
    {
        var types = new List<string>();
        string Level(int level, string path)
        {
            if (level == 0)
                return """{"v":"0123456789abcdef0123456789abcdef"}""";
            var array = level % 2 == 1;
            var below = path + (array ? ".0" : ".a");
            var inner = Level(level - 1, below);
            types.Add($"\"{path}{(array ? ".1" : ".b")}\":\"#\"");
            return array ? $"[{inner},\"#{below}\"]" : $"{{\"a\":{inner},\"b\":\"#{below}\"}}";
        }
        var data = Level(levels, "data");
        return $$"""{"id":"{{id}}","contentTypeId":"t1","status":"published","data":{{data}},"$types":{""" + string.Join(',', types) + "}}";
    }

    /// <summary>JSON nested <paramref name="depth"/> levels (objects of one property), with a string at the bottom.</summary>
    public static string Nested(int depth) => string.Concat(Enumerable.Repeat("""{"d":""", depth)) + "\"bottom\"" + new string('}', depth);
}
