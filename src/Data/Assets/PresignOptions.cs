using Microsoft.Extensions.Options;

namespace Catalyst.Data.Assets;

/// <summary>Section <c>Presign</c>: presigned asset URLs (SPEC §8).</summary>
public sealed class PresignOptions
{
    public const string Section = "Presign";
    public const int MinKeyBytes = 32;

    /// <summary>
    /// The HMAC-SHA256 key, base64 (at least 32 bytes). Every Portal instance must share it. When unset,
    /// a key is generated into the data directory (embedded default) and a warning is logged.
    /// </summary>
    public string? Key { get; set; }
    public int DefaultExpirySeconds { get; set; } = 15 * 60;
    public int MaxExpirySeconds { get; set; } = 7 * 24 * 60 * 60;
    /// <summary>Most asset ids one presign request may name (400 above).</summary>
    public int MaxAssetIds { get; set; } = 500;
}

public sealed class PresignOptionsValidator : IValidateOptions<PresignOptions>
{
    public ValidateOptionsResult Validate(string? name, PresignOptions options)
    {
        var failures = new List<string>();
        if (options.Key is { Length: > 0 } key && PresignKey.Decode(key) is null)
            failures.Add($"Presign:Key must be base64 of at least {PresignOptions.MinKeyBytes} bytes.");
        if (options.MaxExpirySeconds < 60)
            failures.Add("Presign:MaxExpirySeconds must be at least 60.");
        if (options.DefaultExpirySeconds < 1 || options.DefaultExpirySeconds > options.MaxExpirySeconds)
            failures.Add("Presign:DefaultExpirySeconds must be between 1 and Presign:MaxExpirySeconds.");
        if (options.MaxAssetIds is < 1 or > 10_000)
            failures.Add("Presign:MaxAssetIds must be between 1 and 10000.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
