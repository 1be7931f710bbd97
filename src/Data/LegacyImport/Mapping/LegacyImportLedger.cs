using Catalyst.Data.Common;
using Catalyst.Data.LegacyImport.Reading;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Catalyst.Data.LegacyImport.Mapping;

/// <summary>How a source row counts in the report.</summary>
internal enum LegacyOutcome { Imported, Skipped, Failed }

/// <summary>
/// The state of one run of a legacy import, shared by its mappers: the counts and problems
/// (<see cref="LegacyTally"/>), which source rows landed before (source keys) or in this run, the
/// targets that zustand store rows became, and the source keys waiting for the current unit's commit.
/// One ledger per run, so nothing of a run outlives it.
/// </summary>
internal sealed class LegacyImportLedger(LegacyImportMigration migration, Actor owner, bool apply, TimeProvider time)
{
    private readonly Dictionary<string, LegacySourceKey> _known = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _planned = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _storeTargets = new(StringComparer.Ordinal);
    private readonly List<LegacySourceKey> _pending = [];

    public LegacyImportMigration Migration => migration;
    public Actor Owner => owner;
    /// <summary>False in a dry run: count and check exactly as an apply would, write nothing.</summary>
    public bool Apply => apply;
    public LegacyTally Tally { get; } = new();
    /// <summary>The source keys of the unit being written: they commit in its transaction.</summary>
    public IReadOnlyList<LegacySourceKey> Pending => _pending;

    /// <summary>Learns what the migrating user's earlier runs (of any migration) landed.</summary>
    public async Task LoadAsync(CatalystDbContext db, CancellationToken ct)
    {
        foreach (var key in await db.Set<LegacySourceKey>().AsNoTracking().Where(k => k.UserId == owner.UserId).ToListAsync(ct))
        {
            _known[Id(key.Database, key.Table, key.Key)] = key;
            RememberStoreTarget(key.Database, key.Table, key.Key, key.TargetId);
        }
    }

    public void ClearPending() => _pending.Clear();

    private static string Id(string database, string table, string key) => $"{database}\n{table}\n{LegacyValues.SourceKey(key)}";

    /// <summary>A project or chat session by legacy id: the kijko_db row, or one a zustand store held.</summary>
    public string? ProjectOrSession(string kind, string key)
    {
        if (Target(LegacyDatabases.Kijko, kind == "projects" ? "projects" : "chatSessions", key) is { } fromDatabase)
            return fromDatabase;
        return _storeTargets.GetValueOrDefault($"{kind}\n{LegacyValues.SourceKey(key)}");
    }

    private void RememberStoreTarget(string database, string table, string key, string targetId)
    {
        if (!database.StartsWith(LegacyDatabases.LocalStoragePrefix, StringComparison.Ordinal))
            return;
        foreach (var kind in new[] { "projects", "sessions" })
            if (table.EndsWith("." + kind, StringComparison.Ordinal))
                _storeTargets.TryAdd($"{kind}\n{key}", targetId);
    }

    public string? Target(string database, string table, string key) =>
        _planned.TryGetValue(Id(database, table, key), out var planned) ? planned
        : _known.TryGetValue(Id(database, table, key), out var known) ? known.TargetId : null;

    /// <summary>How a row that already landed counts: imported when this migration wrote it (a resumed run), otherwise skipped.</summary>
    public (LegacyOutcome Outcome, string? Message)? Existing(LegacyRow row)
    {
        if (!_known.TryGetValue(Id(row.Database, row.Table, row.Key), out var key))
            return null;
        return key.MigrationId == migration.Id ? (LegacyOutcome.Imported, null) : (LegacyOutcome.Skipped, $"Already imported by migration {key.MigrationId}.");
    }

    /// <summary>A unit of work failed: its rows did not land after all.</summary>
    public void Forget(LegacyTally snapshot)
    {
        Tally.Restore(snapshot);
        foreach (var key in _pending)
            _planned.Remove($"{key.Database}\n{key.Table}\n{key.Key}");
        _pending.Clear();
    }

    public void Count(LegacyRow row, LegacyOutcome outcome, string? message)
    {
        Tally.Source(row.Database, row.Table);
        switch (outcome)
        {
            case LegacyOutcome.Imported: Tally.Imported(row.Database, row.Table); break;
            case LegacyOutcome.Skipped: Tally.Skipped(row.Database, row.Table); break;
            default: Tally.Failed(row.Database, row.Table); break;
        }
        if (message is not null)
            Tally.Problem(row.Database, row.Table, row.Key, message, row.File);
    }

    /// <summary>A problem entry for a row that is still counted as it lands (or fails) elsewhere.</summary>
    public void Problem(LegacyRow row, string message) => Tally.Problem(row.Database, row.Table, row.Key, message, row.File);

    /// <summary>The row lands as <paramref name="targetId"/>: counted imported, its source key pending for the unit's commit.</summary>
    public void Land(LegacyRow row, string kind, string targetId, string? sha256 = null, string? extra = null)
    {
        var id = Id(row.Database, row.Table, row.Key);
        if (Existing(row) is { } done)
        {
            Count(row, done.Outcome, done.Message);
            return;
        }
        if (_planned.ContainsKey(id))
        {
            Count(row, LegacyOutcome.Skipped, "The same key appears twice in the input; the first row was used.");
            return;
        }
        _planned[id] = targetId;
        RememberStoreTarget(row.Database, row.Table, LegacyValues.SourceKey(row.Key), targetId);
        Count(row, LegacyOutcome.Imported, null);
        _pending.Add(new LegacySourceKey
        {
            Id = Guid.CreateVersion7(),
            UserId = owner.UserId,
            MigrationId = migration.Id,
            Database = row.Database,
            Table = row.Table,
            Key = LegacyValues.SourceKey(row.Key),
            TargetKind = kind,
            TargetId = targetId,
            Sha256 = sha256,
            Extra = extra,
            CreatedAt = Clock.UtcNow(time),
        });
    }

    /// <summary>
    /// Why a unit failed, as its problem entry says it: a domain error's or the data's own sentence; a
    /// database or programming fault is logged under the migration's id and named by it (SPEC §16).
    /// </summary>
    public string Reason(Exception ex, string? what, ILogger logger)
    {
        var reason = ex switch
        {
            ValidationFailedException invalid => string.Join(" ", invalid.Errors.Values.SelectMany(e => e)),
            DomainException or System.Text.Json.JsonException => ex.Message,
            _ => null,
        };
        if (reason is not null)
            return what is null ? reason : $"{what}: {reason}";
        logger.LogError(ex, "Legacy migration {MigrationId}: a unit could not be written", migration.Id);
        return $"{what ?? "The row could not be written"} because of an internal error (reference {migration.Id}).";
    }
}
