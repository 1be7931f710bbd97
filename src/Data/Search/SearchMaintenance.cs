using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Search;

public sealed record SearchRebuildResult(long Documents, long Postings, long Terms, int OrphansRemoved);

public sealed record SearchVerificationResult(
    bool Consistent, long DocumentsChecked, int Missing, int Orphaned, int Mismatched, int TermCountErrors, bool Repaired,
    IReadOnlyList<string> Examples);

/// <summary>
/// Rebuild and verify-integrity of the search index, for the jobs of the same names. Both walk the
/// indexed entities in key order, in batches, and compare or rewrite their documents with the
/// documents each feature's <see cref="ISearchSource"/> gives (the ones its write paths index), so
/// "rebuilt" and "maintained" can be compared exactly.
/// </summary>
public sealed class SearchMaintenance(CatalystDbContext db, SearchIndexer indexer, IEnumerable<ISearchSource> sources, IOptions<SearchOptions> options)
{
    private const int BatchSize = 500;
    private const int MaxExamples = 20;

    /// <summary>
    /// Re-indexes every entity in place (each batch in its own transaction, searches keep working),
    /// removes documents whose entity is gone and recomputes the term counts. With
    /// <paramref name="clear"/> the index is emptied first (searches find less until it finishes).
    /// </summary>
    public async Task<SearchRebuildResult> RebuildAsync(bool clear, IProgress<(long Done, long Total)>? progress, CancellationToken ct)
    {
        if (clear)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.SearchPostings.ExecuteDeleteAsync(ct);
            await db.SearchDocuments.ExecuteDeleteAsync(ct);
            await db.SearchTerms.ExecuteDeleteAsync(ct);
            await transaction.CommitAsync(ct);
        }
        var total = await TotalAsync(ct);
        long done = 0;
        await foreach (var batch in SourcesAsync(ct))
        {
            foreach (var input in batch)
                indexer.Index(() => input);
            await indexer.SaveAsync(ct);
            db.ChangeTracker.Clear();
            done += batch.Count;
            progress?.Report((done, Math.Max(total, done)));
        }
        var orphans = await RemoveOrphansAsync(ct);
        await FixTermCountsAsync(ct);
        return new SearchRebuildResult(
            await db.SearchDocuments.LongCountAsync(ct), await db.SearchPostings.LongCountAsync(ct), await db.SearchTerms.LongCountAsync(ct), orphans);
    }

    /// <summary>Compares every entity's document and postings with what indexing it now would write; with <paramref name="repair"/>, fixes what differs.</summary>
    public async Task<SearchVerificationResult> VerifyAsync(bool repair, IProgress<(long Done, long Total)>? progress, CancellationToken ct)
    {
        var examples = new List<string>();
        void Note(string text)
        {
            if (examples.Count < MaxExamples)
                examples.Add(text);
        }

        int missing = 0, mismatched = 0;
        long done = 0;
        var total = await TotalAsync(ct);
        await foreach (var batch in SourcesAsync(ct))
        {
            foreach (var group in batch.GroupBy(b => b.Type))
            {
                var ids = group.Select(i => i.EntityId).ToList();
                var documents = await db.SearchDocuments.AsNoTracking().Where(d => d.Type == group.Key && ids.Contains(d.EntityId))
                    .ToDictionaryAsync(d => d.EntityId, ct);
                var documentIds = documents.Values.Select(d => d.Id).ToList();
                var postings = (await db.SearchPostings.AsNoTracking().Where(p => documentIds.Contains(p.DocumentId)).ToListAsync(ct))
                    .ToLookup(p => p.DocumentId);
                foreach (var input in group)
                {
                    if (!documents.TryGetValue(input.EntityId, out var document))
                    {
                        missing++;
                        Note($"{input.Type} {input.EntityId} is not indexed.");
                        if (repair)
                            indexer.Index(() => input);
                        continue;
                    }
                    var expected = SearchText.Impacts(input, options.Value.MaxTermsPerDocument);
                    var actual = postings[document.Id].ToList();
                    var same = document.OwnerId == input.OwnerId && document.At == input.At && actual.Count == expected.Count
                        && actual.All(p => expected.TryGetValue(p.TermId, out var impact) && impact == p.Impact
                            && p.OwnerId == input.OwnerId && p.At == input.At && p.Type == input.Type);
                    if (!same)
                    {
                        mismatched++;
                        Note($"{input.Type} {input.EntityId} has postings that differ from its content.");
                        if (repair)
                            indexer.Index(() => input);
                    }
                }
            }
            if (repair && indexer.HasWork)
                await indexer.SaveAsync(ct);
            db.ChangeTracker.Clear();
            done += batch.Count;
            progress?.Report((done, Math.Max(total, done)));
        }

        var orphaned = await OrphansQuery().CountAsync(ct);
        if (orphaned > 0)
            Note($"{orphaned} indexed documents belong to deleted rows.");
        var termErrors = await TermCountErrorsAsync(ct);
        if (termErrors.Count > 0)
            Note($"{termErrors.Count} term counts differ from the postings.");
        if (repair)
        {
            await RemoveOrphansAsync(ct);
            await FixTermCountsAsync(ct);
        }
        var consistent = missing == 0 && mismatched == 0 && orphaned == 0 && termErrors.Count == 0;
        return new SearchVerificationResult(consistent, done, missing, orphaned, mismatched, termErrors.Count, repair && !consistent, examples);
    }

    private async Task<long> TotalAsync(CancellationToken ct)
    {
        long total = 0;
        foreach (var source in sources)
            total += await source.Ids().LongCountAsync(ct);
        return total;
    }

    /// <summary>Every indexed entity as its source gives it, in batches (one source after the other), in key order.</summary>
    private async IAsyncEnumerable<IReadOnlyList<SearchDocumentInput>> SourcesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var source in sources.OrderBy(s => s.Type))
        {
            Guid? after = null;
            while (true)
            {
                var batch = await source.DocumentsAsync(after, BatchSize, ct);
                if (batch.Count == 0)
                    break;
                after = batch[^1].EntityId;
                yield return batch;
            }
        }
    }

    /// <summary>Documents whose entity is gone, and documents of a kind no source supplies any more.</summary>
    private IQueryable<SearchDocument> OrphansQuery()
    {
        var known = sources.Select(s => s.Type).ToList();
        var orphans = db.SearchDocuments.Where(d => !known.Contains(d.Type));
        foreach (var source in sources)
        {
            var type = source.Type;
            var ids = source.Ids();
            orphans = orphans.Concat(db.SearchDocuments.Where(d => d.Type == type && !ids.Contains(d.EntityId)));
        }
        return orphans;
    }

    private async Task<int> RemoveOrphansAsync(CancellationToken ct)
    {
        var orphans = await OrphansQuery().Select(d => new { d.Type, d.EntityId }).ToListAsync(ct);
        foreach (var orphan in orphans)
            indexer.Remove(orphan.Type, orphan.EntityId);
        if (indexer.HasWork)
            await indexer.SaveAsync(ct);
        return orphans.Count;
    }

    /// <summary>Term id → (stored count, true count) for every term whose stored count is wrong.</summary>
    private async Task<Dictionary<long, (long Stored, long Actual)>> TermCountErrorsAsync(CancellationToken ct)
    {
        var actual = await db.SearchPostings.AsNoTracking().GroupBy(p => p.TermId).Select(g => new { g.Key, Count = g.LongCount() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        actual[SearchText.DocumentsTermId] = await db.SearchDocuments.LongCountAsync(ct);
        var stored = await db.SearchTerms.AsNoTracking().ToDictionaryAsync(t => t.TermId, t => t.DocumentCount, ct);
        var errors = new Dictionary<long, (long, long)>();
        foreach (var (term, count) in actual)
            if (stored.GetValueOrDefault(term) != count)
                errors[term] = (stored.GetValueOrDefault(term), count);
        foreach (var (term, count) in stored)
            if (count != 0 && !actual.ContainsKey(term))
                errors[term] = (count, 0);
        return errors;
    }

    private async Task FixTermCountsAsync(CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var errors = await TermCountErrorsAsync(ct);
        await SearchSql.AddTermCountsAsync(db, errors.ToDictionary(e => e.Key, e => e.Value.Actual - e.Value.Stored), ct);
        await db.SearchTerms.Where(t => t.DocumentCount <= 0 && t.TermId != SearchText.DocumentsTermId).ExecuteDeleteAsync(ct);
        await transaction.CommitAsync(ct);
    }
}
