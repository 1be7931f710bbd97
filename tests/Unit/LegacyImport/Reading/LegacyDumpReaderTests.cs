using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Catalyst.Data.LegacyImport.Reading;
using Catalyst.Tests.Unit.Infrastructure;

namespace Catalyst.Tests.Unit.LegacyImport.Reading;

/// <summary>
/// The streaming reader against files the real libraries made (tests/fixtures/legacy, built by its
/// generate.mjs through dexie, dexie-export-import, fake-indexeddb and zustand), checked against the
/// generator's manifest, and against the mess real exports hold: deep nesting, lone surrogates,
/// truncation, rows over 10 MB.
/// </summary>
public class LegacyDumpReaderTests
{
    private static readonly LegacyDumpReader Reader = new();

    private static string Folder(string set) => Path.Combine(RepositoryPaths.Root, "tests", "fixtures", "legacy", set);

    private static LegacySourceFile FileOf(string path) => new(Path.GetFileName(path), _ => Task.FromResult<Stream>(File.OpenRead(path)));

    private static LegacySourceFile InMemory(string name, byte[] bytes) => new(name, _ => Task.FromResult<Stream>(new MemoryStream(bytes)));

    private static async Task<List<LegacyItem>> ReadAllAsync(LegacySourceFile file)
    {
        var items = new List<LegacyItem>();
        await foreach (var item in Reader.ReadAsync(file, TestContext.Current.CancellationToken))
            items.Add(item);
        return items;
    }

    private static IEnumerable<LegacyRow> Rows(IEnumerable<LegacyItem> items) => items.OfType<LegacyRowRead>().Select(r => r.Row);

    public static TheoryData<string> Sets() => ["small", "hostile"];

    [Theory]
    [MemberData(nameof(Sets))]
    public async Task Every_row_key_and_blob_the_libraries_wrote_is_read_with_its_exact_bytes(string set)
    {
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Folder(set), "manifest.json"), TestContext.Current.CancellationToken));
        foreach (var file in manifest.RootElement.GetProperty("files").EnumerateArray().Where(f => f.GetProperty("kind").GetString() == "dexie"))
        {
            var items = await ReadAllAsync(FileOf(Path.Combine(Folder(set), file.GetProperty("file").GetString()!)));
            Assert.DoesNotContain(items.OfType<LegacyProblemFound>(), p => p.Problem.Key is null);
            foreach (var table in file.GetProperty("tables").EnumerateObject())
            {
                var rows = Rows(items).Where(r => r.Table == table.Name).ToList();
                var expected = table.Value.GetProperty("keys").EnumerateArray().Select(k => k.GetString()!).Order(StringComparer.Ordinal).ToList();
                var read = rows.Select(r => r.Key).Concat(items.OfType<LegacyProblemFound>().Where(p => p.Problem.Table == table.Name).Select(p => p.Problem.Key!))
                    .Order(StringComparer.Ordinal).ToList();
                Assert.True(expected.SequenceEqual(read), $"{file.GetProperty("file")} {table.Name}: expected [{string.Join(", ", expected)}], read [{string.Join(", ", read)}]");
                foreach (var blob in table.Value.GetProperty("blobs").EnumerateArray())
                {
                    var row = rows.Single(r => r.Key == blob.GetProperty("key").GetString());
                    var bytes = Assert.Single(row.Blobs, b => b.Path == (row.Blobs.Count == 1 && blob.GetProperty("path").GetString() == "1" ? "" : blob.GetProperty("path").GetString())).Bytes;
                    Assert.Equal(blob.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(bytes.Span)));
                    Assert.Equal(blob.GetProperty("size").GetInt32(), bytes.Length);
                }
            }
        }
    }

    [Fact]
    public async Task Every_typeson_kind_is_decoded_as_the_format_says()
    {
        var rows = Rows(await ReadAllAsync(FileOf(Path.Combine(Folder("small"), "website_site-a_content.json")))).ToList();
        var special = rows.Single(r => r.Key == "site-a-item-special").Value!.AsObject();
        var data = special["data"]!.AsObject();

        Assert.Equal("2024-03-09T09:30:00.000Z", (string?)data["when"]);
        Assert.Equal("2024-03-09T09:30:00.000Z", (string?)data["again"]); // '#' reference to the same Date
        Assert.Equal((string?)special["createdAt"], (string?)special["updatedAt"]);
        Assert.True(data.ContainsKey("invalid") && data["invalid"] is null); // Invalid Date
        Assert.Equal("1969-01-01T00:00:00.000Z", (string?)data["ancient"]); // negative milliseconds
        Assert.False(data.ContainsKey("missing")); // undefined is left out
        Assert.True(data.ContainsKey("nothing") && data["nothing"] is null); // null stays null
        Assert.Equal("NaN", (string?)data["nan"]);
        Assert.Equal("Infinity", (string?)data["inf"]);
        Assert.Equal("-Infinity", (string?)data["ninf"]);
        Assert.Equal("a.b", (string?)data["dotted.name"]);
        Assert.Equal("c~d", (string?)data["tilde~name"]);
        Assert.Equal("""[["k","2024-03-10T09:30:00.000Z"],[2,"two"]]""", data["map"]!.ToJsonString());
        Assert.Equal("""["2024-03-11T09:30:00.000Z","x"]""", data["set"]!.ToJsonString());
        Assert.Equal("2024-03-12T09:30:00.000Z", (string?)data["nested"]!["deeper"]![0]!["at"]);

        var assets = Rows(await ReadAllAsync(FileOf(Path.Combine(Folder("small"), "website_site-a_assets.json")))).ToList();
        var typed = assets.Single(r => r.Table == "assets" && r.Key == "site-a-asset-typed");
        Assert.Equal(["blob", "preview"], typed.Blobs.Select(b => b.Path).Order());
        Assert.Equal(16, typed.Blobs.Single(b => b.Path == "preview").Bytes.Length); // byteOffset 4, length 16 of a 24-byte buffer
        Assert.Equal(16, (int)typed.Value!["preview"]!["size"]!);
        var empty = assets.Single(r => r.Table == "assets" && r.Key == "site-a-asset-empty");
        Assert.Equal(0, Assert.Single(empty.Blobs).Bytes.Length);
        Assert.Equal("", empty.Blobs[0].ContentType);
        var arrayBuffer = assets.Single(r => r.Table == "assets" && r.Key == "site-a-asset-0001");
        Assert.Null(Assert.Single(arrayBuffer.Blobs, b => b.Path == "data").ContentType);
        var thumbnail = Rows(await ReadAllAsync(FileOf(Path.Combine(Folder("small"), "website_site-a_assets.json")))).First(r => r.Table == "thumbnails");
        Assert.Equal("", Assert.Single(thumbnail.Blobs).Path); // an outbound value that is itself a Blob
        Assert.Equal(0, (int)thumbnail.Value!["$blob"]!);
    }

    [Fact]
    public async Task Outbound_keys_of_every_kind_and_wrapped_rows_are_read()
    {
        var rows = Rows(await ReadAllAsync(FileOf(Path.Combine(Folder("hostile"), "analytics_db.json")))).ToList();

        Assert.Equal(["1", "2", "3"], rows.Where(r => r.Table == "events").Select(r => r.Key));
        Assert.Equal(["7", "2024-03-06T09:30:00.000Z", "text-key", """["a","2"]"""], rows.Where(r => r.Table == "keyed").Select(r => r.Key));
        Assert.Equal("a bare string value", (string?)rows.Single(r => r.Key == "text-key").Value);

        var content = Rows(await ReadAllAsync(FileOf(Path.Combine(Folder("hostile"), "website_site-h_content.json")))).ToList();
        Assert.Equal("app data named $types", (string?)content.Single(r => r.Key == "site-h-item-own-types").Value!["$types"]!["note"]);
        Assert.Equal("plain", (string?)content.Single(r => r.Key == "site-h-item-own-types-plain").Value!["$types"]);
    }

    [Fact]
    public async Task A_lone_surrogate_and_control_characters_round_trip_through_LegacyJson()
    {
        var rows = Rows(await ReadAllAsync(FileOf(Path.Combine(Folder("hostile"), "website_site-h_content.json")))).ToList();
        var messy = rows.Single(r => r.Key == "site-h-item-messy").Value!;
        var title = (string)messy["title"]!;

        Assert.Equal("Lone \ud83d surrogate and \u0001 control \u2028 separator", title);
        var json = LegacyJson.Serialize(messy);
        Assert.Contains("\\ud83d", json, StringComparison.Ordinal);
        Assert.Contains("\\u0001", json, StringComparison.Ordinal);
        var again = TypesonDecoder.Parse(Encoding.UTF8.GetBytes(json));
        Assert.Equal(title, (string)again!["title"]!);
        // 300 levels of nesting are data, not a problem.
        var deep = messy["data"]!["deep"];
        var depth = 0;
        while (deep?["d"] is { } inner) { deep = inner; depth++; }
        Assert.Equal(300, depth);
    }

    [Fact]
    public async Task A_truncated_export_keeps_the_rows_before_the_break_and_says_where_it_broke()
    {
        var items = await ReadAllAsync(FileOf(Path.Combine(Folder("hostile"), "website_site-x_content.json")));

        Assert.NotEmpty(Rows(items));
        var problem = Assert.Single(items.OfType<LegacyProblemFound>()).Problem;
        Assert.Contains("ends", problem.Message, StringComparison.Ordinal);
        Assert.Equal("website_site-t_content", problem.Database);
    }

    /// <summary>A Dexie export written by hand for what no committed file should hold: rows nested 10,000 deep and a 12 MB row.</summary>
    private static byte[] Export(params string[] rows) => Encoding.UTF8.GetBytes(
        """{"formatName":"dexie","formatVersion":1,"data":{"databaseName":"kijko_db","databaseVersion":3,"tables":[{"name":"projects","schema":"id,name","rowCount":""" +
        rows.Length + """}],"data":[{"tableName":"projects","inbound":true,"rows":[""" + string.Join(',', rows) + "]}]}}");

    [Fact]
    public async Task A_row_nested_10000_deep_is_a_problem_and_the_rows_around_it_survive()
    {
        var deep = "{\"id\":\"deep\",\"x\":" + string.Concat(Enumerable.Repeat("[", 10_000)) + string.Concat(Enumerable.Repeat("]", 10_000)) + "}";
        var items = await ReadAllAsync(InMemory("kijko_db.json", Export("""{"id":"before","name":"A"}""", deep, """{"id":"after","name":"B"}""")));

        Assert.Equal(["before", "after"], Rows(items).Select(r => r.Key));
        var problem = Assert.Single(items.OfType<LegacyProblemFound>()).Problem;
        Assert.Equal(("kijko_db", "projects", "#1"), (problem.Database, problem.Table, problem.Key));
        Assert.Contains("deeper", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_row_over_10_MB_is_read_whole_with_its_bytes()
    {
        var bytes = RandomNumberGenerator.GetBytes(12 << 20);
        var row = "{\"id\":\"big\",\"file\":{\"type\":\"application/zip\",\"data\":\"" + Convert.ToBase64String(bytes) + "\"},\"$types\":{\"file\":\"blob2\"}}";
        var items = await ReadAllAsync(InMemory("kijko_db.json", Export(row, """{"id":"next"}""")));

        var big = Rows(items).First();
        Assert.Equal("big", big.Key);
        Assert.Equal(bytes, Assert.Single(big.Blobs).Bytes.ToArray());
        Assert.Equal("next", Rows(items).Last().Key);
    }

    [Fact]
    public async Task A_reference_bomb_is_a_problem_under_its_key_and_the_rows_around_it_survive()
    {
        var bomb = DexieExports.ReferenceBomb("bomb");
        Assert.True(Encoding.UTF8.GetByteCount(bomb) < 2048, $"the bomb row is {Encoding.UTF8.GetByteCount(bomb)} bytes");
        var export = DexieExports.Export("website_s_content",
            new DexieExports.Table("contentItems", "id,contentTypeId", DexieExports.Item("before"), bomb, DexieExports.Item("after")));

        var items = await ReadAllAsync(InMemory("website_s_content.json", export));

        Assert.Equal(["before", "after"], Rows(items).Select(r => r.Key));
        var problem = Assert.Single(items.OfType<LegacyProblemFound>()).Problem;
        Assert.Equal(("website_s_content", "contentItems", "bomb"), (problem.Database, problem.Table, problem.Key));
        Assert.Contains("'#' references", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decoding_a_reference_bomb_stops_at_the_row_bound_without_expanding_it()
    {
        var bomb = Encoding.UTF8.GetBytes(DexieExports.ReferenceBomb("bomb"));
        var budget = new LegacyExpansionBudget(new LegacyOptions());

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var refused = Assert.Throws<LegacyExpansionException>(() => TypesonDecoder.Decode(bomb, budget));
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

        // 2^20 leaves would be hundreds of MB; the copies made before the refusal stay within the 4 MiB bound (as nodes).
        Assert.True(allocated < 32L << 20, $"decoding allocated {allocated >> 20} MiB");
        Assert.Equal("bomb", (string?)refused.Row!["id"]);
        Assert.Equal(0, budget.Spent);
    }

    [Fact]
    public async Task The_files_of_one_run_share_one_expansion_budget()
    {
        // Each row copies a list of 1,000 strings once (~45 KB): within the row bound, but 10 of them pass the run's.
        string Row(int i) => $$"""{"id":"r{{i}}","a":[{{string.Join(',', Enumerable.Repeat("\"0123456789\"", 1000))}}],"b":"#a","$types":{"b":"#"}""" + "}";
        var budget = new LegacyExpansionBudget(perRow: 64 << 10, perRun: 256 << 10);
        var first = DexieExports.Export("kijko_db", new DexieExports.Table("projects", "id,name", [.. Enumerable.Range(0, 5).Select(Row)]));
        var second = DexieExports.Export("kijko_db", new DexieExports.Table("projects", "id,name", [.. Enumerable.Range(5, 5).Select(Row)]));

        var items = new List<LegacyItem>();
        foreach (var bytes in new[] { first, second })
            await foreach (var item in Reader.ReadAsync(new LegacySourceFile("kijko_db.json", _ => Task.FromResult<Stream>(new MemoryStream(bytes)), budget), TestContext.Current.CancellationToken))
                items.Add(item);

        Assert.Equal(["r0", "r1", "r2", "r3", "r4"], Rows(items).Select(r => r.Key));
        Assert.Equal(1000, Rows(items).First().Value!["b"]!.AsArray().Count);
        var problems = items.OfType<LegacyProblemFound>().Select(p => p.Problem).ToList();
        Assert.Equal(["r5", "r6", "r7", "r8", "r9"], problems.Select(p => p.Key));
        Assert.All(problems, p => Assert.Contains("MaxRunExpansionBytes", p.Message, StringComparison.Ordinal));
        Assert.InRange(budget.Spent, 200 << 10, 256 << 10);
    }

    [Fact]
    public async Task LocalStorage_values_are_told_apart_per_key()
    {
        var rows = Rows(await ReadAllAsync(FileOf(Path.Combine(Folder("hostile"), "localStorage.kijko.json")))).ToDictionary(r => r.Key);

        Assert.Equal(LegacyValueKind.PlainString, rows["theme"].Kind);
        Assert.Equal("dark", (string?)rows["theme"].Value);
        Assert.Equal(LegacyValueKind.ZustandStore, rows["chat-storage"].Kind);
        Assert.Equal("session-0", (string?)rows["chat-storage"].Value!["state"]!["activeSessionId"]);
        Assert.Equal(LegacyValueKind.ZustandStore, rows["auth-storage"].Kind);
        Assert.Equal(LegacyValueKind.Json, rows["sidebar-collapsed"].Kind);
        Assert.Equal(LegacyValueKind.Json, rows["last-visit"].Kind);
        Assert.Equal(LegacyValueKind.Json, rows["recent-ids"].Kind);
        Assert.Equal(LegacyValueKind.DoubleEncodedJson, rows["double-encoded"].Kind);
        Assert.True((bool)rows["double-encoded"].Value!["nested"]!);
        Assert.Equal(LegacyValueKind.PlainString, rows["language"].Kind);
        Assert.Equal(LegacyValueKind.Malformed, rows["truncated-store"].Kind);
        Assert.Equal("localStorage.kijko", rows["theme"].Database);
    }
}
