using Catalyst.Data.LegacyImport.Reading;

namespace Catalyst.Data.LegacyImport.Mapping;

/// <summary>
/// One run of a legacy import (FORMAT.md §4), made by <see cref="LegacyImportRunFactory"/>: reads the
/// dump files in dependency order, hands each source to its mapper and reports progress per file.
/// Websites (with their per-website databases) first, then projects before their sessions and assets,
/// sessions before messages; preferences last, in one write. The mappers share the run's
/// <see cref="LegacyImportLedger"/>; this class holds no mapping rules of its own.
/// </summary>
public sealed class LegacyImportRun
{
    private readonly CatalystDbContext _db;
    private readonly LegacyDumpSet _dumps;
    private readonly Func<long, long, Task> _progress;
    private readonly LegacyImportLedger _ledger;
    private readonly LegacyPreferenceMapper _preferences;
    private readonly LegacyWebsiteMapper _websites;
    private readonly LegacyProjectMapper _projects;
    private readonly LegacyChatMapper _chat;
    private readonly LegacyProjectAssetMapper _assets;
    private readonly LegacyStoreRowMapper _stores;
    private long _filesDone;

    internal LegacyImportRun(CatalystDbContext db, LegacyDumpSet dumps, Func<long, long, Task> progress, LegacyImportLedger ledger,
        LegacyPreferenceMapper preferences, LegacyWebsiteMapper websites, LegacyProjectMapper projects, LegacyChatMapper chat, LegacyProjectAssetMapper assets)
    {
        (_db, _dumps, _progress, _ledger) = (db, dumps, progress, ledger);
        (_preferences, _websites, _projects, _chat, _assets) = (preferences, websites, projects, chat, assets);
        _stores = new LegacyStoreRowMapper(ledger, projects, chat);
    }

    /// <summary>Maps every file (writing only in an apply) and answers the run's counts and problems.</summary>
    public async Task<LegacyTally> RunAsync(CancellationToken ct)
    {
        await _ledger.LoadAsync(_db, ct);
        await _dumps.DiscoverAsync(ct);
        var total = _dumps.Files.Count + 1;
        await _progress(0, total);

        var global = await ReadAllAsync(d => d == LegacyDatabases.Global, ct);
        foreach (var file in global)
            _preferences.MapGlobal(file);
        foreach (var file in await ReadAllAsync(d => d.StartsWith(LegacyDatabases.LocalStoragePrefix, StringComparison.Ordinal), ct))
            foreach (var row in _preferences.MapLocalStorage(file))
                _stores.Collect(row);

        var websiteRows = global.SelectMany(f => f.Of("websites")).ToList();
        var seenWebsites = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in websiteRows)
        {
            var legacyId = row.Key;
            if (!seenWebsites.Add(legacyId))
            {
                _ledger.Count(row, LegacyOutcome.Failed, "The same website id appears twice; the first row was used.");
                continue;
            }
            var files = new List<LegacyFileRows>();
            foreach (var file in _dumps.FilesOf(d => LegacyValues.WebsiteDatabase(d)?.WebsiteId == legacyId))
                files.Add(await ReadOneAsync(file, ct));
            await _websites.MapAsync(row, files, ct);
        }
        // Per-website databases whose website is not in catalyst_global: reported, nothing written.
        foreach (var file in _dumps.FilesOf(d => LegacyValues.WebsiteDatabase(d) is { } w && !seenWebsites.Contains(w.WebsiteId)))
        {
            var rows = await ReadOneAsync(file, ct);
            foreach (var row in rows.Rows.Values.SelectMany(r => r))
                _ledger.Count(row, LegacyOutcome.Failed, $"Its website ({LegacyValues.WebsiteDatabase(rows.Database)!.Value.WebsiteId}) is not in catalyst_global.websites.");
        }

        foreach (var file in _dumps.FilesOf(d => d == LegacyDatabases.Kijko))
            await MapKijkoAsync(await ReadOneAsync(file, ct), ct);
        await _stores.MapAsync(ct);

        foreach (var file in _dumps.FilesOf(d => !IsKnownDatabase(d)))
        {
            var rows = await ReadOneAsync(file, ct);
            foreach (var row in rows.Rows.Values.SelectMany(r => r))
                _ledger.Count(row, LegacyOutcome.Skipped, rows.Database.Length == 0 ? "The file is not a known dump." : $"Unknown database '{rows.Database}': not imported.");
            foreach (var table in rows.Tables.Where(t => !rows.Rows.ContainsKey(t.Name) || rows.Rows[t.Name].Count == 0))
                _ledger.Tally.Touch(table.Database, table.Name);
        }

        await _preferences.CommitAsync(ct);
        await _progress(total, total);
        return _ledger.Tally;
    }

    private static bool IsKnownDatabase(string database) =>
        database == LegacyDatabases.Global || database == LegacyDatabases.Kijko
        || database.StartsWith(LegacyDatabases.LocalStoragePrefix, StringComparison.Ordinal) || LegacyValues.WebsiteDatabase(database) is not null;

    private async Task MapKijkoAsync(LegacyFileRows file, CancellationToken ct)
    {
        foreach (var row in file.Of("projects"))
            await _projects.MapAsync(row, ct);
        await _projects.FlushAsync(ct);
        foreach (var row in file.Of("chatSessions"))
            await _chat.MapSessionAsync(row, ct);
        await _chat.FlushSessionsAsync(ct);
        await _chat.MapMessagesAsync(file.Of("chatMessages"), ct);
        await _assets.MapAsync(file.Of("assets"), ct);
        foreach (var row in file.Of("syncQueue"))
            _ledger.Count(row, LegacyOutcome.Skipped, "The browser's upload queue: obsolete once its assets are on the server.");
        foreach (var (table, rows) in file.Rows.Where(t => t.Key is not ("projects" or "chatSessions" or "chatMessages" or "assets" or "syncQueue")))
            foreach (var row in rows)
                _ledger.Count(row, LegacyOutcome.Skipped, $"Unknown table '{table}' of kijko_db: not imported.");
    }

    private async Task<List<LegacyFileRows>> ReadAllAsync(Func<string, bool> database, CancellationToken ct)
    {
        var result = new List<LegacyFileRows>();
        foreach (var file in _dumps.FilesOf(database))
            result.Add(await ReadOneAsync(file, ct));
        return result;
    }

    /// <summary>Reads one file whole; its tables, blobs and reader problems count as it is read.</summary>
    private async Task<LegacyFileRows> ReadOneAsync(LegacySourceFile file, CancellationToken ct)
    {
        var rows = await _dumps.ReadAsync(file, ct);
        var tally = _ledger.Tally;
        foreach (var table in rows.Tables)
            tally.Touch(table.Database, table.Name);
        tally.BlobsSource += rows.Rows.Values.Sum(r => r.Sum(x => x.Blobs.Count));
        foreach (var problem in rows.Problems)
        {
            // A row the reader could not decode is a source row that failed; a file- or table-level problem is listed.
            if (problem.Key is not null)
            {
                tally.Source(problem.Database, problem.Table);
                tally.Failed(problem.Database, problem.Table);
            }
            tally.Problem(problem.Database, problem.Table, problem.Key, problem.Message, problem.File);
        }
        await _progress(++_filesDone, _dumps.Files.Count + 1);
        return rows;
    }
}
