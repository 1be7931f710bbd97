using System.Globalization;
using Catalyst.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Search;

public enum SearchSort { Relevance, Recent }

/// <summary>A search as the client wrote it; <see cref="SearchService"/> checks every part.</summary>
public sealed record SearchRequest(string? Q, string? Op = null, string? Tags = null, string? From = null, string? To = null, string? Types = null, string? Sort = null);

/// <summary>One hit; a chat message's also names its session and role (<c>user</c>, <c>assistant</c>, <c>system</c>, <c>tool</c>).</summary>
public sealed record SearchHit(
    SearchDocumentType Type, Guid Id, Guid OwnerId, double Score, DateTime At, string Title, string Snippet,
    Guid? SessionId = null, string? Role = null);

public sealed record SearchResults(Page<SearchHit> Page, bool TotalIsExact);

/// <summary>
/// Ranked, owner-scoped search over the inverted index (SPEC §12, §15). Never scans a table:
/// every read is a range of one posting index or a primary-key probe.
/// <list type="bullet">
/// <item>One term: the top is the first rows of the term's (owner, impact) index range — ordered by impact,
/// which for one term is the score order.</item>
/// <item>Several terms, by relevance: Fagin's threshold algorithm. The terms' ranges are read in impact
/// order in growing batches; each newly seen document's other impacts are probed by key; reading stops
/// when the k-th best score beats the best score an unseen document could still reach
/// (Σ idf × last impact read). AND drops documents missing a term and stops as soon as one term's range
/// is exhausted; OR scores missing terms as zero. Exact top-k, usually after a few hundred postings.</item>
/// <item>By recency: AND walks the rarest term's (owner, date) range and probes the others; OR merges the
/// heads of every term's date range.</item>
/// <item>Tags are terms of their own ('#tag'), probed like AND terms without adding to the score.</item>
/// </list>
/// The total is exact up to <see cref="SearchOptions.MaxCountedHits"/>, counted over bounded ranges.
/// </summary>
public sealed class SearchService(CatalystDbContext db, IEnumerable<ISearchSource> sources, IOptions<SearchOptions> options)
{
    private SearchOptions Options => options.Value;
    private const int MaxTags = 20;
    // Matches the threshold algorithm confirmed (a lower bound of the total when counting stops early).
    private int _confirmed;

    private sealed record Scope(Guid? OwnerId, IReadOnlyList<SearchDocumentType>? Types, DateTime? From, DateTime? To);

    private sealed record Ranked(long DocumentId, double Score, DateTime At);

    private sealed record Parsed(IReadOnlyList<string> Words, long[] Terms, long[] Tags, bool And, SearchSort Sort, Scope Scope);

    private sealed class Candidate(long documentId, DateTime at, int lists)
    {
        public long DocumentId { get; } = documentId;
        public DateTime At { get; } = at;
        public int?[] Impacts { get; } = new int?[lists];
        public bool TagsChecked { get; set; }
        public bool Rejected { get; set; }
    }

    public async Task<SearchResults> SearchAsync(Actor actor, SearchRequest request, PageRequest page, CancellationToken ct)
    {
        var query = Parse(actor, request, page);
        var need = page.Skip + page.PageSize;
        var weights = await WeightsAsync(query.Terms, ct);

        List<Ranked> top;
        if (query.Terms.Length == 1 && query.Tags.Length == 0)
            top = await SingleTermAsync(query, weights[0], page, ct);
        else if (query.Sort == SearchSort.Relevance && query.Terms.Length > 0)
            top = (await ThresholdAsync(query, weights, need, ct)).Skip(page.Skip).ToList();
        else if (query.And || query.Terms.Length == 0)
            top = (await RecentConjunctionAsync(query, weights, need, ct)).Skip(page.Skip).ToList();
        else
            top = (await RecentDisjunctionAsync(query, weights, need, ct)).Skip(page.Skip).ToList();

        var confirmed = _confirmed;
        var (total, exact) = await CountAsync(query, ct);
        if (top.Count > 0)
            total = Math.Max(total, page.Skip + top.Count);
        if (!exact)
            total = Math.Min(Options.MaxCountedHits, Math.Max(total, confirmed));
        var hits = await HydrateAsync(actor, top, query.Words, ct);
        return new SearchResults(new Page<SearchHit>(hits, page.Page, page.PageSize, total), exact);
    }

    private Parsed Parse(Actor actor, SearchRequest request, PageRequest page)
    {
        var errors = new Dictionary<string, string[]>();
        var q = request.Q?.Trim() ?? "";
        var words = new List<string>();
        if (q.Length > Options.MaxQueryLength)
            errors["q"] = [$"q must be at most {Options.MaxQueryLength} characters."];
        else
        {
            words = SearchText.Terms(q).Distinct(StringComparer.Ordinal).ToList();
            if (words.Count > Options.MaxQueryTerms)
                errors["q"] = [$"q may have at most {Options.MaxQueryTerms} words."];
        }

        var op = request.Op?.Trim().ToLowerInvariant();
        if (op is not (null or "" or "and" or "or"))
            errors["op"] = ["op must be 'and' or 'or'."];
        var sort = request.Sort?.Trim().ToLowerInvariant() switch
        {
            null or "" or "relevance" => SearchSort.Relevance,
            "recent" => SearchSort.Recent,
            _ => (SearchSort?)null,
        };
        if (sort is null)
            errors["sort"] = ["sort must be 'relevance' or 'recent'."];

        var tags = (request.Tags ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(t => t.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();
        if (tags.Count > MaxTags)
            errors["tags"] = [$"At most {MaxTags} tags."];

        List<SearchDocumentType>? types = null;
        foreach (var name in (request.Types ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (Enum.TryParse<SearchDocumentType>(name, ignoreCase: true, out var type) && !char.IsAsciiDigit(name[0]) && Enum.IsDefined(type))
                (types ??= []).Add(type);
            else
                errors["types"] = ["types must be a comma-separated list of chat, project, website, content."];
        }

        var from = ParseDate(request.From, "from", errors);
        var to = ParseDate(request.To, "to", errors);
        if (from > to)
            errors["from"] = ["from must not be after to."];
        if (words.Count == 0 && tags.Count == 0 && !errors.ContainsKey("q"))
            errors["q"] = ["q must contain at least one word (or give tags)."];
        if ((long)page.Page * page.PageSize > Options.MaxResultWindow)
            errors["page"] = [$"Only the first {Options.MaxResultWindow} hits can be paged to (page × pageSize)."];
        if (errors.Count > 0)
            throw new ValidationFailedException(errors);

        var scope = new Scope(actor.IsAdmin ? null : actor.UserId, types?.Distinct().ToList(), from, to);
        return new Parsed(words, words.Select(SearchText.TermId).ToArray(), tags.Select(SearchText.TagTermId).ToArray(), op != "or", sort!.Value, scope);
    }

    private static DateTime? ParseDate(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
            return null;
        if (DateTimeOffset.TryParse(value.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            return parsed.UtcDateTime;
        errors[field] = [$"{field} must be an ISO 8601 date or date and time."];
        return null;
    }

    /// <summary>idf of each term, from the maintained document counts (one indexed read).</summary>
    private async Task<double[]> WeightsAsync(long[] terms, CancellationToken ct)
    {
        var ids = terms.Append(SearchText.DocumentsTermId).ToList();
        var counts = await db.SearchTerms.AsNoTracking().Where(t => ids.Contains(t.TermId)).ToDictionaryAsync(t => t.TermId, t => t.DocumentCount, ct);
        var documents = counts.GetValueOrDefault(SearchText.DocumentsTermId);
        return terms.Select(t => SearchText.Idf(documents, counts.GetValueOrDefault(t))).ToArray();
    }

    private IQueryable<SearchPosting> Range(long termId, Scope scope)
    {
        var postings = db.SearchPostings.AsNoTracking().Where(p => p.TermId == termId);
        if (scope.OwnerId is { } owner)
            postings = postings.Where(p => p.OwnerId == owner);
        if (scope.Types is [var only])
            postings = postings.Where(p => p.Type == only);
        else if (scope.Types is { } types)
            postings = postings.Where(p => types.Contains(p.Type));
        if (scope.From is { } from)
            postings = postings.Where(p => p.At >= from);
        if (scope.To is { } to)
            postings = postings.Where(p => p.At <= to);
        return postings;
    }

    private static IQueryable<SearchPosting> ByImpact(IQueryable<SearchPosting> postings) =>
        postings.OrderByDescending(p => p.Impact).ThenByDescending(p => p.At).ThenByDescending(p => p.DocumentId);

    private static IQueryable<SearchPosting> ByDate(IQueryable<SearchPosting> postings) =>
        postings.OrderByDescending(p => p.At).ThenByDescending(p => p.DocumentId);

    private async Task<List<Ranked>> SingleTermAsync(Parsed query, double weight, PageRequest page, CancellationToken ct)
    {
        var range = Range(query.Terms[0], query.Scope);
        var ordered = query.Sort == SearchSort.Relevance ? ByImpact(range) : ByDate(range);
        var rows = await ordered.Skip(page.Skip).Take(page.PageSize).Select(p => new { p.DocumentId, p.Impact, p.At }).ToListAsync(ct);
        return rows.Select(r => new Ranked(r.DocumentId, weight * r.Impact, r.At)).ToList();
    }

    /// <summary>The threshold algorithm (see the class comment); exact unless it reads more than MaxPostingsPerQuery.</summary>
    private async Task<List<Ranked>> ThresholdAsync(Parsed query, double[] weights, int need, CancellationToken ct)
    {
        var n = query.Terms.Length;
        var candidates = new Dictionary<long, Candidate>();
        var offsets = new int[n];
        var last = new int[n];
        var exhausted = new bool[n];
        var batch = Math.Max(need, 32);
        var read = 0;
        while (true)
        {
            for (var i = 0; i < n; i++)
            {
                if (exhausted[i])
                    continue;
                var rows = await ByImpact(Range(query.Terms[i], query.Scope)).Skip(offsets[i]).Take(batch)
                    .Select(p => new { p.DocumentId, p.Impact, p.At }).ToListAsync(ct);
                offsets[i] += rows.Count;
                read += rows.Count;
                exhausted[i] = rows.Count < batch;
                if (rows.Count > 0)
                    last[i] = rows[^1].Impact;
                foreach (var row in rows)
                {
                    if (!candidates.TryGetValue(row.DocumentId, out var candidate))
                        candidates[row.DocumentId] = candidate = new Candidate(row.DocumentId, row.At, n);
                    candidate.Impacts[i] = row.Impact;
                }
            }
            Prune(candidates.Values, weights, last, exhausted, need);
            await ResolveAsync(query, candidates.Values, exhausted, ct);

            var matches = candidates.Values.Where(c => !c.Rejected).ToList();
            _confirmed = matches.Count;
            var top = matches
                .Select(c => new Ranked(c.DocumentId, Score(c, weights), c.At))
                .OrderByDescending(r => r.Score).ThenByDescending(r => r.At).ThenByDescending(r => r.DocumentId)
                .Take(need).ToList();
            // Once one term of an AND is exhausted, every document holding all terms has been seen.
            if ((query.And && exhausted.Any(e => e)) || exhausted.All(e => e) || read >= Options.MaxPostingsPerQuery)
                return top;
            var threshold = 0.0;
            for (var i = 0; i < n; i++)
                threshold += weights[i] * last[i];
            if (top.Count >= need && top[^1].Score > threshold)
                return top;
            batch = Math.Min(batch * 2, 8192);
        }
    }

    /// <summary>
    /// Drops, before any probe, the candidates that cannot reach the k-th best known score: an impact not
    /// yet seen in list j is at most the last impact read from it (zero once it is exhausted).
    /// </summary>
    private static void Prune(IEnumerable<Candidate> all, double[] weights, int[] last, bool[] exhausted, int need)
    {
        var open = all.Where(c => !c.Rejected).ToList();
        var known = open.Where(c => c.Impacts.All(i => i is not null)).Select(c => Score(c, weights)).OrderDescending().Take(need).ToList();
        if (known.Count < need)
            return;
        var kth = known[^1];
        foreach (var candidate in open)
        {
            var bound = 0.0;
            for (var j = 0; j < weights.Length; j++)
                bound += weights[j] * (candidate.Impacts[j] ?? (exhausted[j] ? 0 : last[j]));
            if (bound < kth)
                candidate.Rejected = true;
        }
    }

    private static double Score(Candidate candidate, double[] weights)
    {
        var score = 0.0;
        for (var i = 0; i < weights.Length; i++)
            score += weights[i] * (candidate.Impacts[i] ?? 0);
        return score;
    }

    /// <summary>Fills in every unknown impact of the candidates by key probes, applies AND and the tags.</summary>
    private async Task ResolveAsync(Parsed query, IEnumerable<Candidate> all, bool[] exhausted, CancellationToken ct)
    {
        var open = all.Where(c => !c.Rejected).ToList();
        for (var j = 0; j < query.Terms.Length; j++)
        {
            var missing = open.Where(c => !c.Rejected && c.Impacts[j] is null).ToList();
            if (missing.Count == 0)
                continue;
            var found = exhausted[j] ? [] : await ProbeAsync(query.Terms[j], missing.Select(c => c.DocumentId).ToList(), ct);
            foreach (var c in missing)
            {
                if (found.TryGetValue(c.DocumentId, out var impact))
                    c.Impacts[j] = impact;
                else if (query.And)
                    c.Rejected = true;
                else
                    c.Impacts[j] = 0;
            }
        }
        await CheckTagsAsync(query, open.Where(c => !c.Rejected && !c.TagsChecked).ToList(), ct);
    }

    private async Task CheckTagsAsync(Parsed query, List<Candidate> candidates, CancellationToken ct)
    {
        if (query.Tags.Length > 0 && candidates.Count > 0)
        {
            foreach (var tag in query.Tags)
            {
                var ids = candidates.Where(c => !c.Rejected).Select(c => c.DocumentId).ToList();
                var found = ids.Count == 0 ? [] : await ProbeAsync(tag, ids, ct);
                foreach (var c in candidates.Where(c => !found.ContainsKey(c.DocumentId)))
                    c.Rejected = true;
            }
        }
        foreach (var c in candidates)
            c.TagsChecked = true;
    }

    /// <summary>Impacts of one term in the given documents: primary-key probes, in chunks.</summary>
    private async Task<Dictionary<long, int>> ProbeAsync(long termId, List<long> documentIds, CancellationToken ct)
    {
        var result = new Dictionary<long, int>();
        foreach (var chunk in documentIds.Chunk(500))
        {
            var ids = chunk.ToList();
            // "TermId + 0": SQLite without statistics would otherwise walk the term's whole range in one of
            // the term indexes instead of probing the primary key (DocumentId, TermId) once per document.
            foreach (var row in await db.SearchPostings.AsNoTracking().Where(p => ids.Contains(p.DocumentId) && p.TermId + 0 == termId)
                         .Select(p => new { p.DocumentId, p.Impact }).ToListAsync(ct))
                result[row.DocumentId] = row.Impact;
        }
        return result;
    }

    /// <summary>AND by recency: walks the rarest list (terms and tags alike) by date and probes the others.</summary>
    private async Task<List<Ranked>> RecentConjunctionAsync(Parsed query, double[] weights, int need, CancellationToken ct)
    {
        var lists = query.Terms.Concat(query.Tags).ToArray();
        var counts = await db.SearchTerms.AsNoTracking().Where(t => lists.Contains(t.TermId)).ToDictionaryAsync(t => t.TermId, t => t.DocumentCount, ct);
        var driver = lists.OrderBy(t => counts.GetValueOrDefault(t)).First();
        var result = new List<Ranked>();
        var offset = 0;
        var batch = Math.Max(need, 32);
        while (result.Count < need)
        {
            var rows = await ByDate(Range(driver, query.Scope)).Skip(offset).Take(batch).Select(p => new { p.DocumentId, p.Impact, p.At }).ToListAsync(ct);
            offset += rows.Count;
            var candidates = rows.Select(r => new Candidate(r.DocumentId, r.At, query.Terms.Length)).ToList();
            var driverIndex = Array.IndexOf(query.Terms, driver);
            if (driverIndex >= 0)
                for (var k = 0; k < rows.Count; k++)
                    candidates[k].Impacts[driverIndex] = rows[k].Impact;
            await ResolveAsync(query, candidates, new bool[query.Terms.Length], ct);
            result.AddRange(candidates.Where(c => !c.Rejected).Select(c => new Ranked(c.DocumentId, Score(c, weights), c.At)));
            if (rows.Count < batch || offset >= Options.MaxPostingsPerQuery)
                break;
            batch = Math.Min(batch * 2, 8192);
        }
        return result.Take(need).ToList();
    }

    /// <summary>OR by recency: merges the date-ordered heads of every term's list.</summary>
    private async Task<List<Ranked>> RecentDisjunctionAsync(Parsed query, double[] weights, int need, CancellationToken ct)
    {
        var n = query.Terms.Length;
        var candidates = new Dictionary<long, Candidate>();
        var offsets = new int[n];
        var exhausted = new bool[n];
        var lastKey = new (DateTime At, long Id)[n];
        var batch = Math.Max(need, 32);
        while (true)
        {
            for (var i = 0; i < n; i++)
            {
                if (exhausted[i])
                    continue;
                var rows = await ByDate(Range(query.Terms[i], query.Scope)).Skip(offsets[i]).Take(batch).Select(p => new { p.DocumentId, p.Impact, p.At }).ToListAsync(ct);
                offsets[i] += rows.Count;
                exhausted[i] = rows.Count < batch;
                if (rows.Count > 0)
                    lastKey[i] = (rows[^1].At, rows[^1].DocumentId);
                foreach (var row in rows)
                {
                    if (!candidates.TryGetValue(row.DocumentId, out var candidate))
                        candidates[row.DocumentId] = candidate = new Candidate(row.DocumentId, row.At, n);
                    candidate.Impacts[i] = row.Impact;
                }
            }
            await CheckTagsAsync(query, candidates.Values.Where(c => !c.TagsChecked).ToList(), ct);
            // An unseen document sorts after the last row read from some list that is not exhausted.
            (DateTime At, long Id)? bound = null;
            for (var i = 0; i < n; i++)
                if (!exhausted[i] && (bound is null || Compare(lastKey[i], bound.Value) > 0))
                    bound = lastKey[i];
            var final = candidates.Values.Where(c => !c.Rejected && (bound is null || Compare((c.At, c.DocumentId), bound.Value) >= 0))
                .OrderByDescending(c => c.At).ThenByDescending(c => c.DocumentId).Take(need).ToList();
            if (final.Count >= need || bound is null || offsets.Sum() >= Options.MaxPostingsPerQuery)
            {
                await ResolveAsync(query, final, exhausted, ct);
                return final.Select(c => new Ranked(c.DocumentId, Score(c, weights), c.At)).ToList();
            }
            batch = Math.Min(batch * 2, 8192);
        }
    }

    private static int Compare((DateTime At, long Id) a, (DateTime At, long Id) b) =>
        a.At != b.At ? a.At.CompareTo(b.At) : a.Id.CompareTo(b.Id);

    /// <summary>Hits counted exactly up to MaxCountedHits, over bounded ranges only.</summary>
    private async Task<(int Total, bool Exact)> CountAsync(Parsed query, CancellationToken ct)
    {
        var cap = Options.MaxCountedHits;
        var lists = query.Terms.Concat(query.Tags).ToArray();
        if (lists.Length == 1)
        {
            var count = await ByImpact(Range(lists[0], query.Scope)).Take(cap + 1).CountAsync(ct);
            return count > cap ? (cap, false) : (count, true);
        }
        if (query.And || query.Terms.Length == 0)
        {
            // Count among the first postings of the rarest list: exact when that list is short.
            var counts = await db.SearchTerms.AsNoTracking().Where(t => lists.Contains(t.TermId)).ToDictionaryAsync(t => t.TermId, t => t.DocumentCount, ct);
            var driver = lists.OrderBy(t => counts.GetValueOrDefault(t)).First();
            var window = 2 * cap;
            var driverCount = await ByImpact(Range(driver, query.Scope)).Take(window + 1).CountAsync(ct);
            // A long rarest list would cost a probe per posting: then the total is a lower bound, the hits found.
            if (driverCount > window)
                return (0, false);
            var documents = ByImpact(Range(driver, query.Scope)).Take(window).Select(p => p.DocumentId);
            foreach (var other in lists.Where(t => t != driver))
                documents = documents.Where(d => db.SearchPostings.Any(p => p.DocumentId == d && p.TermId + 0 == other));
            var matched = await documents.Take(cap + 1).CountAsync(ct);
            return (Math.Min(matched, cap), matched <= cap);
        }
        // OR: the union is small enough to count exactly when every list is.
        var union = 0;
        foreach (var term in query.Terms)
        {
            var count = await ByImpact(Range(term, query.Scope)).Take(cap + 1).CountAsync(ct);
            if (count > cap)
                return (cap, false);
            union += count;
        }
        IQueryable<long> all = db.SearchPostings.AsNoTracking().Where(p => query.Terms.Contains(p.TermId)).Select(p => p.DocumentId);
        if (query.Scope.OwnerId is not null || query.Scope.Types is not null || query.Scope.From is not null || query.Scope.To is not null)
            all = query.Terms.Select(t => Range(t, query.Scope).Select(p => p.DocumentId)).Aggregate((a, b) => a.Union(b));
        foreach (var tag in query.Tags)
            all = all.Where(d => db.SearchPostings.Any(p => p.DocumentId == d && p.TermId + 0 == tag));
        var distinct = await all.Distinct().CountAsync(ct);
        return (Math.Min(distinct, cap), distinct <= cap);
    }

    private async Task<List<SearchHit>> HydrateAsync(Actor actor, List<Ranked> top, IReadOnlyList<string> words, CancellationToken ct)
    {
        if (top.Count == 0)
            return [];
        var ids = top.Select(t => t.DocumentId).ToList();
        var documents = await db.SearchDocuments.AsNoTracking().Where(d => ids.Contains(d.Id)).ToDictionaryAsync(d => d.Id, ct);
        var contents = new Dictionary<(SearchDocumentType, Guid), SearchHitContent>();
        foreach (var source in sources)
        {
            var entityIds = documents.Values.Where(d => d.Type == source.Type).Select(d => d.EntityId).ToList();
            if (entityIds.Count > 0)
                foreach (var content in await source.HitsAsync(entityIds, ct))
                    contents[(source.Type, content.Id)] = content;
        }

        var hits = new List<SearchHit>(top.Count);
        foreach (var ranked in top)
        {
            // Rows that vanished behind the index's back (the verify job reports them) are skipped.
            if (!documents.TryGetValue(ranked.DocumentId, out var document)
                || !contents.TryGetValue((document.Type, document.EntityId), out var c) || !actor.CanAccess(c.OwnerId))
                continue;
            hits.Add(new SearchHit(document.Type, c.Id, c.OwnerId, Math.Round(ranked.Score, 4), ranked.At, c.Title,
                SearchText.Snippet(c.Text, words), c.SessionId, c.Role));
        }
        return hits;
    }
}
