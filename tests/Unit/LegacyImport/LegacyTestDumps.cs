using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Catalyst.Tests.Unit.LegacyImport;

/// <summary>A small dump set in the test reader's form, covering every table of FORMAT.md §4 and the ways rows go wrong.</summary>
/// <remarks>Each seed gives its own blob bytes, so tests running side by side never share a blob.</remarks>
public sealed class LegacyTestDumps(int seed)
{
    public byte[] Logo { get; } = RandomBytes(40_000, seed);
    public byte[] Data { get; } = RandomBytes(150_000, seed + 1_000_000);
    public byte[] Notes { get; } = Encoding.UTF8.GetBytes($"project notes {seed}\n");

    public static LegacyTestDumps Create() => new(Random.Shared.Next(1, 1_000_000));

    /// <summary>SHA-256 of every blob that must land as an asset.</summary>
    public IReadOnlyList<string> ImportedBlobHashes =>
        [Sha(Logo), Sha([]), Sha(Data), Sha(Notes)];

    public static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static JsonObject Row(string key, JsonNode? value, params (string Path, string? Type, byte[] Bytes)[] blobs)
    {
        var row = new JsonObject { ["key"] = key, ["value"] = value };
        if (blobs.Length > 0)
            row["blobs"] = new JsonArray(blobs.Select(b => (JsonNode)new JsonObject { ["path"] = b.Path, ["type"] = b.Type, ["base64"] = Convert.ToBase64String(b.Bytes) }).ToArray());
        return row;
    }

    private static JsonObject Ls(string key, string kind, JsonNode? value) => new() { ["key"] = key, ["kind"] = kind, ["value"] = value };

    private static JsonObject Table(string name, params JsonObject[] rows) => new() { ["name"] = name, ["rows"] = new JsonArray(rows) };

    private static (string Name, byte[] Bytes) File(string name, string database, JsonArray? problems, params JsonObject[] tables)
    {
        var root = new JsonObject { ["database"] = database, ["tables"] = new JsonArray(tables) };
        if (problems is not null)
            root["problems"] = problems;
        return (name, Encoding.UTF8.GetBytes(root.ToJsonString()));
    }

    private static JsonObject O(string json) => JsonNode.Parse(json)!.AsObject();

    public IReadOnlyList<(string Name, byte[] Bytes)> Small() =>
    [
        File("kijko_db.json", "kijko_db", new JsonArray(O("""{"table": "chatMessages", "key": "m9", "message": "Nesting deeper than the reader allows."}""")),
            Table("projects",
                Row("p1", O("""{"id": "p1", "name": "Alpha", "description": "First", "color": "#123456", "archived": false, "thumbnailAssetId": "ka1"}""")),
                Row("p2", O("""{"id": "p2", "name": "Old stuff", "archived": true}"""))),
            Table("chatSessions",
                Row("s1", O("""{"id": "s1", "title": "First chat", "projectId": "p1", "model": "gpt", "pinned": true}""")),
                Row("s2", O("""{"id": "s2", "title": "", "projectId": "p-missing"}"""))),
            Table("chatMessages",
                Row("m1", O("""{"id": "m1", "sessionId": "s1", "role": "user", "content": "Hello there", "createdAt": "2024-03-15T09:28:30.000Z"}""")),
                Row("m2", O("""{"id": "m2", "sessionId": "s1", "role": "assistant", "content": "General Kenobi", "createdAt": 1710495000000, "feedback": "up"}""")),
                Row("m3", O("""{"id": "m3", "sessionId": "s-missing", "role": "user", "content": "lost"}""")),
                Row("m4", O("""{"id": "m4", "sessionId": "s2", "role": "robot", "content": "beep"}""")),
                Row("m5", O("""{"id": "m5", "sessionId": "s2", "role": "user", "content": "in the untitled chat"}"""))),
            Table("assets",
                Row("ka1", O("""{"id": "ka1", "projectId": "p1", "name": "notes.txt", "mimeType": "text/plain", "uploadStatus": "done"}"""), ("file", "text/plain", Notes)),
                Row("ka2", O("""{"id": "ka2", "projectId": "p1", "name": "never.bin", "uploadStatus": "pending"}"""))),
            Table("syncQueue", Row("q1", O("""{"id": "q1", "type": "upload", "assetId": "ka2", "status": "pending"}""")))),
        File("catalyst_global.json", "catalyst_global", null,
            Table("websites",
                Row("w1", O("""{"id": "w1", "name": "Bakery", "description": "Bread", "category": "shop", "icon": "bread", "settings": {"theme": "dark"}, "isActive": true, "mystery": {"deep": [1, 2]}}""")),
                Row("w2", O("""{"id": "w2", "name": "Empty site"}"""))),
            Table("metadata", Row("lastOpened", O("""{"key": "lastOpened", "value": "w1"}""")))),
        File("website_w1_config.json", "website_w1_config", null,
            Table("config", Row("theme", O("""{"key": "theme", "value": {"primary": "#ff0000"}}"""))),
            Table("cache", Row("build-1", O("""{"html": "<p>"}""")))),
        File("website_w1_content.json", "website_w1_content", null,
            Table("contentTypes",
                Row("t1", O("""{"id": "t1", "name": "Post", "slug": "post", "schema": {"fields": [{"name": "title", "type": "text", "required": true}, {"name": "body", "type": "markdown"}, {"name": "hero", "type": "image"}]}}""")),
                Row("t2", O("""{"id": "t2", "name": "Page", "schema": "{\"fields\": [{\"name\": \"heading\", \"type\": \"text\"}]}"}"""))),
            Table("contentItems",
                Row("i1", O("""{"id": "i1", "contentTypeId": "t1", "title": "Hello", "status": "published", "locale": "en", "data": {"title": "Hello", "body": "**hi**"}}""")),
                Row("i2", O("""{"id": "i2", "contentTypeId": "t1", "status": "published", "data": {"body": "no title"}}""")),
                Row("i3", O("""{"id": "i3", "contentTypeId": "t-missing", "data": {}}""")),
                Row("i4", O("""{"id": "i4", "contentTypeId": "t2", "status": "draft", "data": {"heading": "About"}}""")))),
        File("website_w1_assets.json", "website_w1_assets", null,
            Table("assets",
                Row("a1", O("""{"id": "a1", "name": "logo.png", "mimeType": "image/png", "folderId": "f2", "alt": "Logo"}"""), ("blob", "image/png", Logo)),
                Row("a2", O("""{"id": "a2", "name": "empty.txt", "mimeType": "text/plain"}"""), ("blob", "text/plain", [])),
                Row("a3", O("""{"id": "a3", "name": "data.bin"}"""), ("data", null, Data)),
                Row("a4", O("""{"id": "a4", "name": "logo-copy.png", "mimeType": "image/png"}"""), ("blob", "image/png", Logo))),
            Table("folders",
                Row("f1", O("""{"id": "f1", "name": "images"}""")),
                Row("f2", O("""{"id": "f2", "parentId": "f1", "name": "logos"}"""))),
            Table("thumbnails", Row("a1", null, ("", "image/png", Logo[..1000])))),
        File("website_w1_ai_context.json", "website_w1_ai_context", null,
            Table("conversations", Row("c1", O("""{"id": "c1", "title": "Menu ideas"}"""))),
            Table("messages", Row("1", O("""{"id": 1, "conversationId": "c1", "text": "Add croissants"}"""))),
            Table("pinnedContext", Row("pin1", O("""{"id": "pin1", "text": "We bake daily"}""")))),
        File("website_orphan_content.json", "website_orphan_content", null,
            Table("contentTypes", Row("x1", O("""{"id": "x1", "name": "Lost"}""")))),
        File("localStorage.kijko.json", "localStorage.kijko", null,
            Table("localStorage",
                Ls("theme", "PlainString", "dark"),
                Ls("sidebar-collapsed", "Json", true),
                Ls("chat-storage", "ZustandStore", O("""{"state": {"activeSessionId": "s1", "sessions": [{"id": "s1", "title": "Store copy (the database row wins)", "messages": [{"id": "m1", "role": "user", "content": "Hello there"}]}, {"id": "s-store", "title": "Only in the store", "projectId": "p-store", "messages": [{"id": "sm1", "role": "user", "content": "kept from the store", "createdAt": "2024-03-16T10:00:00.000Z"}]}], "projects": [{"id": "p-store", "name": "Store project"}]}, "version": 0}""")),
                Ls("auth-storage", "ZustandStore", O("""{"state": {"user": {"name": "x"}, "accessToken": "secret"}, "version": 1}""")),
                Ls("draft", "Malformed", "{\"text\": \"unfinish"))),
        File("other.json", "some_other_app", null, Table("things", Row("1", O("""{"id": 1}""")))),
    ];
}
