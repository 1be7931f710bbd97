using System.Text;

namespace Catalyst.Data.Search;

/// <summary>A field of a document and how much its words count (a project's name counts more than its description).</summary>
public sealed record SearchField(string? Text, double Weight = 1);

/// <summary>What the indexer needs to know about one document.</summary>
public sealed record SearchDocumentInput(
    SearchDocumentType Type, Guid EntityId, Guid OwnerId, DateTime At, IReadOnlyList<SearchField> Fields, IReadOnlyList<string> Tags);

/// <summary>
/// Words, term ids and impacts: the one tokenizer shared by indexing and querying.
/// <para>
/// A term is a run of letters and digits, lower-cased (invariant culture), at most
/// <see cref="MaxTermLength"/> characters. Its id is a 64-bit FNV-1a hash of its UTF-8 bytes, so postings
/// hold 8-byte integers and no vocabulary table has to be kept in step (a collision among a million
/// terms has odds of about 1 in 30 million, and would only merge two words' hits).
/// </para>
/// <para>
/// A posting's impact is the BM25 term weight of the term in the document, tf·(k1+1)/(tf+k1·(1−b+b·len/avglen)),
/// scaled to an integer, with a fixed average length: it depends on the document alone, so a rebuild
/// writes the same impacts as incremental indexing did, and no posting is rescored when the corpus grows.
/// The idf is applied at query time from <see cref="SearchTerm.DocumentCount"/>.
/// </para>
/// </summary>
public static class SearchText
{
    public const int MaxTermLength = 64;
    /// <summary>The <see cref="SearchTerm"/> row that counts every document (the N of the idf).</summary>
    public const long DocumentsTermId = 0;
    private const double K1 = 1.2;
    private const double B = 0.75;
    private const double AverageLength = 24;
    private const int ImpactScale = 1000;

    /// <summary>The terms of <paramref name="text"/> in order, repeats included.</summary>
    public static IEnumerable<string> Terms(string? text)
    {
        if (string.IsNullOrEmpty(text))
            yield break;
        var term = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(rune))
            {
                if (term.Length < MaxTermLength)
                    term.Append(Rune.ToLowerInvariant(rune).ToString());
                continue;
            }
            if (term.Length > 0)
            {
                yield return term.ToString();
                term.Clear();
            }
        }
        if (term.Length > 0)
            yield return term.ToString();
    }

    public static long TermId(string term) => Hash(term);

    /// <summary>Tags live in the same index as terms that no text can produce ('#' is never part of a word).</summary>
    public static long TagTermId(string tag) => Hash("#" + tag.Trim().ToLowerInvariant());

    private static long Hash(string value)
    {
        const ulong offset = 14695981039346656037, prime = 1099511628211;
        var hash = offset;
        Span<byte> buffer = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            var length = rune.EncodeToUtf8(buffer);
            for (var i = 0; i < length; i++)
            {
                hash ^= buffer[i];
                hash *= prime;
            }
        }
        var id = (long)hash;
        return id == DocumentsTermId ? 1 : id;
    }

    /// <summary>The postings of a document: term id → impact, at most <paramref name="maxTerms"/> of its most weighty terms, plus its tags.</summary>
    public static Dictionary<long, int> Impacts(SearchDocumentInput document, int maxTerms)
    {
        var frequencies = new Dictionary<string, double>(StringComparer.Ordinal);
        double length = 0;
        foreach (var field in document.Fields)
        {
            foreach (var term in Terms(field.Text))
            {
                frequencies[term] = frequencies.GetValueOrDefault(term) + field.Weight;
                length += field.Weight;
            }
        }
        var norm = K1 * (1 - B + B * length / AverageLength);
        var impacts = new Dictionary<long, int>();
        foreach (var (term, tf) in frequencies.OrderByDescending(f => f.Value).ThenBy(f => f.Key, StringComparer.Ordinal).Take(maxTerms))
        {
            var id = TermId(term);
            var impact = Math.Max(1, (int)Math.Round(ImpactScale * tf * (K1 + 1) / (tf + norm)));
            impacts[id] = Math.Max(impacts.GetValueOrDefault(id), impact);
        }
        foreach (var tag in document.Tags)
            impacts[TagTermId(tag)] = 1;
        return impacts;
    }

    /// <summary>BM25's idf, never negative.</summary>
    public static double Idf(long documents, long documentsWithTerm)
    {
        documents = Math.Max(documents, documentsWithTerm);
        return Math.Log(1 + (documents - documentsWithTerm + 0.5) / (documentsWithTerm + 0.5));
    }

    /// <summary>A short excerpt of <paramref name="text"/> around the first of <paramref name="terms"/> it contains.</summary>
    public static string Snippet(string? text, IReadOnlyCollection<string> terms, int length = 200)
    {
        if (string.IsNullOrEmpty(text))
            return "";
        if (text.Length <= length)
            return text;
        var at = -1;
        foreach (var term in terms)
        {
            var found = text.IndexOf(term, StringComparison.OrdinalIgnoreCase);
            if (found >= 0 && (at < 0 || found < at))
                at = found;
        }
        var start = Math.Max(0, Math.Min(at < 0 ? 0 : at - length / 4, text.Length - length));
        // Never cut a surrogate pair in half.
        if (start > 0 && char.IsLowSurrogate(text[start]))
            start--;
        var end = Math.Min(text.Length, start + length);
        if (end < text.Length && char.IsHighSurrogate(text[end - 1]))
            end--;
        return (start > 0 ? "…" : "") + text[start..end] + (end < text.Length ? "…" : "");
    }
}
