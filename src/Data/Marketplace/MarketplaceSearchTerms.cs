using System.Globalization;
using System.Text;
using Catalyst.Data.Projects;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Marketplace;

/// <summary>
/// The browse text index. A project's words (name, tags, category) are lower-cased, split at
/// anything that is not a letter or digit, stripped of accents, and stored as every prefix of 2 to
/// <see cref="MaxTermLength"/> characters. A query word is then one equality lookup, which both
/// providers answer from the (Term, ProjectId) key whatever their collation; several words must
/// all match. Kept current by publish, unpublish and project edits (<see cref="ReplaceAsync"/>).
/// </summary>
public static class MarketplaceSearchTerms
{
    public const int MinTermLength = 2;
    public const int MaxTermLength = 24;
    public const int MaxQueryWords = 5;
    private const int MaxTermsPerProject = 400;

    /// <summary>The distinct words of <paramref name="text"/>, normalised as the index stores them.</summary>
    public static IEnumerable<string> Words(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            yield break;
        var word = new StringBuilder();
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
                continue;
            if (char.IsLetterOrDigit(c))
            {
                word.Append(char.ToLowerInvariant(c));
                continue;
            }
            if (word.Length > 0)
                yield return word.ToString();
            word.Clear();
        }
        if (word.Length > 0)
            yield return word.ToString();
    }

    /// <summary>The words of a query as index terms: too-short words are dropped, long ones cut to the indexed length.</summary>
    public static IReadOnlyList<string> QueryTerms(string? query) =>
        Words(query).Where(w => w.Length >= MinTermLength)
            .Select(w => w.Length > MaxTermLength ? w[..MaxTermLength] : w)
            .Distinct(StringComparer.Ordinal).Take(MaxQueryWords).ToList();

    public static IReadOnlyList<string> TermsOf(Project project)
    {
        var words = Words(project.Name)
            .Concat(project.Tags.SelectMany(Words))
            .Concat(Words(project.Category))
            .Concat(Words(MarketplaceRules.CategoryLabel(project.Category)));
        var terms = new HashSet<string>(StringComparer.Ordinal);
        foreach (var word in words)
        {
            for (var length = MinTermLength; length <= Math.Min(word.Length, MaxTermLength); length++)
            {
                terms.Add(word[..length]);
                if (terms.Count >= MaxTermsPerProject)
                    return [.. terms];
            }
        }
        return [.. terms];
    }

    /// <summary>
    /// Replaces the project's terms in the caller's unit of work: its current words while it is
    /// published, none otherwise.
    /// </summary>
    public static async Task ReplaceAsync(CatalystDbContext db, Project project, CancellationToken ct)
    {
        var terms = db.Set<MarketplaceSearchTerm>();
        var existing = await terms.Where(t => t.ProjectId == project.Id).ToListAsync(ct);
        var wanted = project.IsPublished ? TermsOf(project).ToHashSet(StringComparer.Ordinal) : [];
        terms.RemoveRange(existing.Where(t => !wanted.Contains(t.Term)));
        var kept = existing.Select(t => t.Term).ToHashSet(StringComparer.Ordinal);
        terms.AddRange(wanted.Where(t => !kept.Contains(t)).Select(t => new MarketplaceSearchTerm { Term = t, ProjectId = project.Id }));
    }
}
