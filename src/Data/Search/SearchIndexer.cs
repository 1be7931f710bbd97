using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Search;

/// <summary>
/// Keeps the inverted index in step with the writes of one unit of work. Services say what changed
/// (<see cref="Index"/>, <see cref="Remove(SearchDocumentType, Guid)"/>); <see cref="ApplyAsync"/> runs
/// inside the write's transaction (see Sync/ChangeSet), after the entities were saved, so the postings,
/// the term counts and the rows they describe commit together or not at all.
/// </summary>
public sealed class SearchIndexer(CatalystDbContext db, IOptions<SearchOptions> options)
{
    private readonly List<Func<SearchDocumentInput>> _index = [];
    private readonly List<(SearchDocumentType Type, Guid EntityId)> _remove = [];
    private readonly List<(SearchDocumentType Type, IQueryable<Guid> EntityIds)> _removeWhere = [];
    private readonly List<(SearchDocument Document, long TermId, int Impact)> _postings = [];
    private readonly List<SearchDocument> _newDocuments = [];

    public bool HasWork => _index.Count > 0 || _remove.Count > 0 || _removeWhere.Count > 0;

    /// <summary>(Re)indexes a document; the input is built after the save, so it sees stamped dates.</summary>
    public void Index(Func<SearchDocumentInput> document) => _index.Add(document);

    public void Remove(SearchDocumentType type, Guid entityId) => _remove.Add((type, entityId));

    /// <summary>Removes the documents of every entity the query names (e.g. all messages of a session), before they are deleted.</summary>
    public void Remove(SearchDocumentType type, IQueryable<Guid> entityIds) => _removeWhere.Add((type, entityIds));

    public void Reset()
    {
        _index.Clear();
        _remove.Clear();
        _removeWhere.Clear();
        _postings.Clear();
        _newDocuments.Clear();
    }

    /// <summary>
    /// Saves the pending index work in a transaction of its own, without change-feed rows: for the
    /// maintenance jobs, which change the index and never the entities. Writes go through ChangeSet.
    /// </summary>
    public async Task SaveAsync(CancellationToken ct)
    {
        var deltas = new Dictionary<long, long>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await RemoveBeforeSaveAsync(deltas, ct);
        await ApplyAsync(deltas, ct);
        await db.SaveChangesAsync(ct);
        await WritePostingsAsync(ct);
        await SearchSql.AddTermCountsAsync(db, deltas, ct);
        await transaction.CommitAsync(ct);
        Forget();
    }

    /// <summary>
    /// Stops tracking the index rows just saved: they are written, never read back through this context,
    /// and a later re-index of the same document (deleted in bulk) must not meet them in the tracker.
    /// </summary>
    internal void Forget()
    {
        foreach (var entry in db.ChangeTracker.Entries<SearchDocument>().ToList())
            entry.State = EntityState.Detached;
        _postings.Clear();
        _newDocuments.Clear();
    }

    /// <summary>Writes the new documents and then the postings collected by <see cref="ApplyAsync"/>.</summary>
    internal async Task WritePostingsAsync(CancellationToken ct)
    {
        if (_newDocuments.Count > 0)
        {
            await SearchSql.InsertDocumentsAsync(db, _newDocuments, ct);
            foreach (var group in _newDocuments.GroupBy(d => d.Type))
            {
                var entityIds = group.Select(d => d.EntityId).ToList();
                var keys = await db.SearchDocuments.AsNoTracking().Where(d => d.Type == group.Key && entityIds.Contains(d.EntityId))
                    .Select(d => new { d.Id, d.EntityId }).ToDictionaryAsync(d => d.EntityId, d => d.Id, ct);
                foreach (var document in group)
                    document.Id = keys[document.EntityId];
            }
            _newDocuments.Clear();
        }
        if (_postings.Count == 0)
            return;
        var rows = _postings.Select(p => new PostingRow(p.Document.Id, p.TermId, p.Document.OwnerId.ToByteArray(), (int)p.Document.Type, p.Impact,
            (p.Document.At.Kind == DateTimeKind.Local ? p.Document.At.ToUniversalTime() : p.Document.At).Ticks)).ToList();
        _postings.Clear();
        await SearchSql.InsertPostingsAsync(db, rows, ct);
    }

    /// <summary>Queries whose rows must be read before the entities are deleted (the subqueries name them).</summary>
    internal async Task RemoveBeforeSaveAsync(Dictionary<long, long> deltas, CancellationToken ct)
    {
        foreach (var (type, ids) in _removeWhere)
        {
            var documents = db.SearchDocuments.Where(d => d.Type == type && ids.Contains(d.EntityId)).Select(d => d.Id);
            await RemoveDocumentsAsync(documents, deltas, ct);
        }
        _removeWhere.Clear();
    }

    /// <summary>
    /// Adds and updates documents, deletes their old postings and collects the new ones and the term-count
    /// deltas; the caller saves, then calls <see cref="WritePostingsAsync"/> and applies the deltas.
    /// </summary>
    internal async Task ApplyAsync(Dictionary<long, long> deltas, CancellationToken ct)
    {
        if (_remove.Count > 0)
        {
            foreach (var group in _remove.GroupBy(r => r.Type))
            {
                var ids = group.Select(r => r.EntityId).Distinct().ToList();
                var documents = db.SearchDocuments.Where(d => d.Type == group.Key && ids.Contains(d.EntityId)).Select(d => d.Id);
                await RemoveDocumentsAsync(documents, deltas, ct);
            }
        }

        var inputs = _index.Select(f => f()).GroupBy(d => (d.Type, d.EntityId)).Select(g => g.Last()).ToList();
        foreach (var group in inputs.GroupBy(d => d.Type))
        {
            var ids = group.Select(d => d.EntityId).ToList();
            var existing = await db.SearchDocuments.Where(d => d.Type == group.Key && ids.Contains(d.EntityId)).ToDictionaryAsync(d => d.EntityId, ct);
            if (existing.Count > 0)
            {
                var documentIds = existing.Values.Select(d => d.Id).ToList();
                var old = db.SearchPostings.Where(p => documentIds.Contains(p.DocumentId));
                foreach (var c in await old.GroupBy(p => p.TermId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct))
                    deltas[c.Key] = deltas.GetValueOrDefault(c.Key) - c.Count;
                await old.ExecuteDeleteAsync(ct);
            }
            foreach (var input in group)
            {
                if (!existing.TryGetValue(input.EntityId, out var document))
                {
                    // Not tracked: new documents are written in bulk with their postings (SearchSql).
                    document = new SearchDocument { Type = input.Type, EntityId = input.EntityId };
                    _newDocuments.Add(document);
                    deltas[SearchText.DocumentsTermId] = deltas.GetValueOrDefault(SearchText.DocumentsTermId) + 1;
                }
                document.OwnerId = input.OwnerId;
                document.At = input.At;
                foreach (var (termId, impact) in SearchText.Impacts(input, options.Value.MaxTermsPerDocument))
                {
                    _postings.Add((document, termId, impact));
                    deltas[termId] = deltas.GetValueOrDefault(termId) + 1;
                }
            }
        }
        _index.Clear();
        _remove.Clear();
    }

    private async Task RemoveDocumentsAsync(IQueryable<long> documents, Dictionary<long, long> deltas, CancellationToken ct)
    {
        var postings = db.SearchPostings.Where(p => documents.Contains(p.DocumentId));
        var counts = await postings.GroupBy(p => p.TermId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        foreach (var c in counts)
            deltas[c.Key] = deltas.GetValueOrDefault(c.Key) - c.Count;
        await postings.ExecuteDeleteAsync(ct);
        var removed = await db.SearchDocuments.Where(d => documents.Contains(d.Id)).ExecuteDeleteAsync(ct);
        deltas[SearchText.DocumentsTermId] = deltas.GetValueOrDefault(SearchText.DocumentsTermId) - removed;
    }
}
