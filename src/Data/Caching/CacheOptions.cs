using Microsoft.Extensions.Options;

namespace Catalyst.Data.Caching;

/// <summary>Section <c>Catalyst:Cache</c>: the bounded metadata cache.</summary>
public sealed class CacheOptions
{
    public const string Section = "Catalyst:Cache";

    /// <summary>Capacity in size units: a single entity costs 1, a list costs 1 + its item count.</summary>
    public long SizeLimit { get; set; } = 50_000;
    /// <summary>Longest an entry lives even without a write; bounds staleness across several Portal instances.</summary>
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>Share of the capacity freed when it is reached (least recently used entries first).</summary>
    public double CompactionPercentage { get; set; } = 0.1;
}

public sealed class CacheOptionsValidator : IValidateOptions<CacheOptions>
{
    public ValidateOptionsResult Validate(string? name, CacheOptions options)
    {
        var failures = new List<string>();
        if (options.SizeLimit is < 10 or > 100_000_000)
            failures.Add("Catalyst:Cache:SizeLimit must be between 10 and 100000000.");
        if (options.TimeToLive <= TimeSpan.Zero || options.TimeToLive > TimeSpan.FromDays(1))
            failures.Add("Catalyst:Cache:TimeToLive must be positive and at most one day.");
        if (options.CompactionPercentage is <= 0 or >= 1)
            failures.Add("Catalyst:Cache:CompactionPercentage must be between 0 and 1 (exclusive).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
