using System.Text.Json;
using Catalyst.Data.LegacyImport;
using Catalyst.Data.Storage;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.LegacyImport;

/// <summary>
/// SPEC §11 on files the real libraries made (tests/fixtures/legacy, see its generate.mjs): the
/// small set and the hostile set migrate through the real reader and the real services. Every
/// source row of the manifest is counted and lands or is reported with its reason, every blob the
/// manifest lists is stored by its SHA-256 unless its row was refused or skipped, verify passes, and
/// a dry run writes nothing.
/// </summary>
public class LibraryFixtureImportTests(PortalFactory portal)
{
    private readonly LegacyHarness _legacy = new(portal);

    private static (string Name, byte[] Bytes)[] Files(string set) =>
        [.. Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "tests", "fixtures", "legacy", set), "*.json")
            .Where(f => Path.GetFileName(f) != "manifest.json").Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), File.ReadAllBytes(f)))];

    private static JsonElement Manifest(string set) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "tests", "fixtures", "legacy", set, "manifest.json"))).RootElement;

    public static TheoryData<string> Sets() => ["small", "hostile"];

    [Theory]
    [MemberData(nameof(Sets))]
    public async Task Every_row_and_blob_of_the_library_made_files_lands_or_is_reported_and_verify_passes(string set)
    {
        var user = await portal.CreateUserAsync($"legacy-{set}");
        var manifest = Manifest(set);

        var (dryId, dry) = await _legacy.RunAsync(user, Files(set), dryRun: true);
        var (id, report) = await _legacy.RunAsync(user, Files(set), dryRun: false);

        Assert.Equal("applied", report.Status);
        // A raw file is a broken copy of a database that is also there whole: its readable rows add to that database's count.
        var copied = manifest.GetProperty("files").EnumerateArray().Any(f => f.GetProperty("kind").GetString() == "raw");
        foreach (var file in manifest.GetProperty("files").EnumerateArray().Where(f => f.GetProperty("kind").GetString() == "dexie"))
        {
            var database = file.GetProperty("database").GetString()!;
            foreach (var table in file.GetProperty("tables").EnumerateObject())
            {
                var expected = table.Value.GetProperty("keys").GetArrayLength();
                var counted = report.Tables.Where(t => t.Database == database && t.Table == table.Name).ToList();
                if (expected == 0 && counted.Count == 0)
                    continue;
                var row = Assert.Single(counted);
                Assert.True(row.Source == expected || (copied && row.Source > expected), $"{database}/{table.Name}: the manifest has {expected} rows, the report counted {row.Source}");
                Assert.Equal(row.Source, row.Imported + row.Skipped + row.Failed);
                Assert.True(report.Problems.Count(p => p.Database == database && p.Table == table.Name) >= row.Skipped + row.Failed,
                    $"{database}/{table.Name}: {row.Skipped + row.Failed} rows not imported, fewer problems explain them");
            }
        }
        // The dry run saw exactly what the apply did.
        Assert.Equal(report.Tables.Select(t => (t.Database, t.Table, t.Source, t.Imported, t.Skipped, t.Failed)),
            dry.Tables.Select(t => (t.Database, t.Table, t.Source, t.Imported, t.Skipped, t.Failed)));

        // Every blob of an imported asset row is stored under its hash.
        var assetBlobs = manifest.GetProperty("files").EnumerateArray().Where(f => f.GetProperty("kind").GetString() == "dexie")
            .SelectMany(f => f.GetProperty("tables").EnumerateObject().Where(t => t.Name == "assets").SelectMany(t => t.Value.GetProperty("blobs").EnumerateArray()))
            .Where(b => b.GetProperty("path").GetString() is "blob" or "data" or "file")
            .Select(b => (Key: b.GetProperty("key").GetString()!, Sha: b.GetProperty("sha256").GetString()!)).ToList();
        var refused = report.Problems.Where(p => p.Table == "assets").Select(p => p.Key).ToHashSet();
        var hashes = assetBlobs.Where(b => !refused.Contains(b.Key)).Select(b => b.Sha).Distinct().ToList();
        var stored = await portal.WithDbAsync(db => db.Set<StoredBlob>().Where(b => hashes.Contains(b.Sha256)).Select(b => b.Sha256).ToListAsync(TestContext.Current.CancellationToken));
        Assert.Equal(hashes.Order(), stored.Order());
        Assert.True(report.Blobs.Imported > 0 || set == "hostile");

        var verification = await _legacy.VerifyAsync(id);
        Assert.True(verification.Passed, string.Join('\n', verification.Mismatches));
        _ = dryId;
    }
}
