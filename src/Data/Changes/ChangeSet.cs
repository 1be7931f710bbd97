using Catalyst.Data.Caching;
using Catalyst.Data.Common;
using Catalyst.Data.Search;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Changes;

/// <summary>
/// The one way a write that clients sync, search or cache is saved. A service changes its entities,
/// says what changed (<see cref="Upserted"/>, <see cref="Deleted"/>, <see cref="Search"/>) and calls
/// <see cref="SaveAsync"/>, which in one transaction saves the entities, replaces their search postings
/// and term counts, and appends their change-feed rows; after the commit it drops their cache entries.
/// <para>
/// Feed positions come from one counter row, incremented inside the transaction: on SQL Server the row
/// lock is held until commit, so positions become visible in the order they were drawn and a reader
/// never sees position n+1 before n (on SQLite, write transactions are serial anyway). That makes the
/// cursor monotonic on both providers without a rowversion.
/// </para>
/// </summary>
public sealed class ChangeSet(CatalystDbContext db, SearchIndexer search, MetadataCache cache, TimeProvider time)
{
    private sealed record Pending(string Type, Guid Id, Guid OwnerId, SyncOperation Operation, bool Created);

    private readonly List<Pending> _changes = [];
    private readonly List<(string Type, IQueryable<Guid> Ids)> _forget = [];

    public SearchIndexer Search => search;

    /// <summary>The entity was created (<paramref name="created"/>) or changed.</summary>
    public void Upserted(string type, Guid id, Guid ownerId, bool created = false) =>
        _changes.Add(new Pending(type, id, ownerId, SyncOperation.Upsert, created));

    /// <summary>The entity was deleted: clients get a tombstone.</summary>
    public void Deleted(string type, Guid id, Guid ownerId) =>
        _changes.Add(new Pending(type, id, ownerId, SyncOperation.Delete, false));

    /// <summary>
    /// Entities deleted along with a parent (a session's messages): their feed rows go, without
    /// tombstones of their own; the parent's tombstone tells clients to drop them.
    /// </summary>
    public void DeletedWithParent(string type, IQueryable<Guid> ids) => _forget.Add((type, ids));

    /// <param name="inTransaction">Work that must share the transaction and run before the save (bulk updates and deletes).</param>
    public async Task SaveAsync(CancellationToken ct, Func<CancellationToken, Task>? inTransaction = null)
    {
        var deltas = new Dictionary<long, long>();
        var changes = _changes.GroupBy(c => c.Id).Select(g => g.Last() with { Created = g.First().Created }).ToList();
        try
        {
            // Microsoft.Data.Sqlite begins with BEGIN IMMEDIATE: the write lock is taken before any read,
            // so a read inside the transaction can never be invalidated by another writer.
            await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
            if (inTransaction is not null)
                await inTransaction(ct);
            await search.RemoveBeforeSaveAsync(deltas, ct);
            foreach (var (type, ids) in _forget)
                await db.SyncChanges.Where(c => c.EntityType == type && ids.Contains(c.EntityId)).ExecuteDeleteAsync(ct);
            await db.SaveChangesAsync(ct);

            await search.ApplyAsync(deltas, ct);
            if (changes.Count > 0)
                await AppendAsync(changes, ct);
            await db.SaveChangesAsync(ct);
            await search.WritePostingsAsync(ct);
            await SearchSql.AddTermCountsAsync(db, deltas, ct);
            if (transaction is not null)
                await transaction.CommitAsync(ct);
        }
        finally
        {
            search.Forget();
            foreach (var entry in db.ChangeTracker.Entries<SyncChange>().ToList())
                entry.State = EntityState.Detached;
            _changes.Clear();
            _forget.Clear();
            search.Reset();
        }
        foreach (var change in changes)
        {
            cache.Invalidate(MetadataCache.EntityTag(change.Type, change.Id));
            cache.Invalidate(MetadataCache.OwnerTag(change.Type, change.OwnerId));
        }
    }

    private async Task AppendAsync(List<Pending> changes, CancellationToken ct)
    {
        // Incrementing first takes the counter's lock (SQL Server) until commit: see the class comment.
        await db.SyncCounters.Where(c => c.Name == SyncCounter.Changes)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Value, c => c.Value + changes.Count), ct);
        var last = await db.SyncCounters.Where(c => c.Name == SyncCounter.Changes).Select(c => c.Value).SingleAsync(ct);
        var first = last - changes.Count + 1;

        var replaced = changes.Where(c => !c.Created).Select(c => c.Id).ToList();
        if (replaced.Count > 0)
            await db.SyncChanges.Where(c => replaced.Contains(c.EntityId) && c.Seq < first).ExecuteDeleteAsync(ct);

        var now = Clock.UtcNow(time);
        for (var i = 0; i < changes.Count; i++)
        {
            db.SyncChanges.Add(new SyncChange
            {
                Seq = first + i,
                OwnerId = changes[i].OwnerId,
                EntityType = changes[i].Type,
                EntityId = changes[i].Id,
                Operation = changes[i].Operation,
                At = now,
            });
        }
    }

    /// <summary>The position of the last committed change.</summary>
    public static Task<long> HeadAsync(CatalystDbContext db, CancellationToken ct) =>
        db.SyncCounters.AsNoTracking().Where(c => c.Name == SyncCounter.Changes).Select(c => c.Value).SingleAsync(ct);
}
