using Microsoft.Extensions.Options;

namespace Catalyst.Data.Secrets;

/// <summary>Section <c>Catalyst:Secrets</c>: the master key that wraps the vault's data keys.</summary>
public sealed class SecretsOptions
{
    public const string Section = "Catalyst:Secrets";
    public const string MasterKeyKey = "Catalyst:Secrets:MasterKey";

    /// <summary>
    /// 32 random bytes in base64 (e.g. <c>openssl rand -base64 32</c>). Without it a development key
    /// is generated into the data directory (with a warning): set it in production.
    /// </summary>
    public string? MasterKey { get; set; }

    /// <summary>Credentials re-encrypted per transaction by a key rotation.</summary>
    public int RotationBatchSize { get; set; } = 100;
}

public sealed class SecretsOptionsValidator : IValidateOptions<SecretsOptions>
{
    public ValidateOptionsResult Validate(string? name, SecretsOptions options)
    {
        var failures = new List<string>();
        if (options.MasterKey is { } configured && !string.IsNullOrWhiteSpace(configured) && MasterKey.TryParse(configured) is null)
            failures.Add($"{SecretsOptions.MasterKeyKey} must be {MasterKey.Length} random bytes encoded in base64 (44 characters, e.g. from `openssl rand -base64 32`).");
        if (options.RotationBatchSize is < 1 or > 10_000)
            failures.Add("Catalyst:Secrets:RotationBatchSize must be between 1 and 10000.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
