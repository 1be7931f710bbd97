using Microsoft.Extensions.Options;

namespace Catalyst.Data.Marketplace;

/// <summary>Section <c>Catalyst:Marketplace</c>.</summary>
public sealed class MarketplaceOptions
{
    public const string Section = "Catalyst:Marketplace";

    /// <summary>How long a download token stays valid (SPEC §13: expiring, single use).</summary>
    public TimeSpan DownloadTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);
}

public sealed class MarketplaceOptionsValidator : IValidateOptions<MarketplaceOptions>
{
    public ValidateOptionsResult Validate(string? name, MarketplaceOptions options)
    {
        var failures = new List<string>();
        if (options.DownloadTokenLifetime < TimeSpan.FromSeconds(10) || options.DownloadTokenLifetime > TimeSpan.FromDays(7))
            failures.Add("Catalyst:Marketplace:DownloadTokenLifetime must be between 00:00:10 and 7.00:00:00.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
