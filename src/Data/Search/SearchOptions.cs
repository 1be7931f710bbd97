using Microsoft.Extensions.Options;

namespace Catalyst.Data.Search;

/// <summary>Section <c>Catalyst:Search</c>: the limits of a search request and of what one document puts in the index.</summary>
public sealed class SearchOptions
{
    public const string Section = "Catalyst:Search";

    /// <summary>Words of <c>q</c> taken into account; more answer 400.</summary>
    public int MaxQueryTerms { get; set; } = 8;
    /// <summary>Longest <c>q</c>, in characters.</summary>
    public int MaxQueryLength { get; set; } = 500;
    /// <summary>Deepest hit reachable by paging (page × pageSize).</summary>
    public int MaxResultWindow { get; set; } = 1000;
    /// <summary>Hits are counted exactly up to this many; above it <c>total</c> is this number and marked as a lower bound.</summary>
    public int MaxCountedHits { get; set; } = 1000;
    /// <summary>Distinct terms one document contributes (its most frequent ones).</summary>
    public int MaxTermsPerDocument { get; set; } = 1000;
    /// <summary>Postings one query may read before it answers with the best hits found so far.</summary>
    public int MaxPostingsPerQuery { get; set; } = 200_000;
}

public sealed class SearchOptionsValidator : IValidateOptions<SearchOptions>
{
    public ValidateOptionsResult Validate(string? name, SearchOptions options)
    {
        var failures = new List<string>();
        if (options.MaxQueryTerms is < 1 or > 64)
            failures.Add("Catalyst:Search:MaxQueryTerms must be between 1 and 64.");
        if (options.MaxQueryLength is < 10 or > 10_000)
            failures.Add("Catalyst:Search:MaxQueryLength must be between 10 and 10000.");
        if (options.MaxResultWindow is < 20 or > 100_000)
            failures.Add("Catalyst:Search:MaxResultWindow must be between 20 and 100000.");
        if (options.MaxCountedHits is < 1 or > 1_000_000)
            failures.Add("Catalyst:Search:MaxCountedHits must be between 1 and 1000000.");
        if (options.MaxTermsPerDocument is < 10 or > 100_000)
            failures.Add("Catalyst:Search:MaxTermsPerDocument must be between 10 and 100000.");
        if (options.MaxPostingsPerQuery < 1000)
            failures.Add("Catalyst:Search:MaxPostingsPerQuery must be at least 1000.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
