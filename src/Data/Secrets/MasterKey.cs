using System.Security.Cryptography;
using System.Text;
using Catalyst.Data.Common;
using Catalyst.Data.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Secrets;

/// <summary>
/// The key-encryption key of the vault. It never encrypts a secret itself: it wraps the data keys
/// (<see cref="SecretKey"/>), so rotating data keys never needs a new master key. Its <see cref="Id"/>
/// (a fingerprint, not the key) is stored with every wrapped key, so a wrong master key is named as
/// such at start-up instead of failing later as "corrupt data".
/// </summary>
public sealed class MasterKey
{
    public const int Length = 32;
    private const string DevelopmentKeyFile = "master.key";

    private MasterKey(byte[] key, bool isDevelopmentKey, string? file)
    {
        Key = key;
        IsDevelopmentKey = isDevelopmentKey;
        DevelopmentKeyPath = file;
        Id = "m-" + Convert.ToHexStringLower(SHA256.HashData([.. Encoding.ASCII.GetBytes("catalyst-master-key-id:"), .. key]))[..12];
    }

    internal byte[] Key { get; }
    public string Id { get; }
    public bool IsDevelopmentKey { get; }
    public string? DevelopmentKeyPath { get; }

    public static byte[]? TryParse(string text)
    {
        var buffer = new byte[Length + 3];
        return Convert.TryFromBase64String(text.Trim(), buffer, out var written) && written == Length ? buffer[..Length] : null;
    }

    /// <summary>
    /// The configured key, or the development key of the data directory (created on first use,
    /// readable by the process owner only), announced with a warning.
    /// </summary>
    public static MasterKey Load(IOptions<SecretsOptions> options, CatalystPaths paths, ILogger<MasterKey> logger)
    {
        if (options.Value.MasterKey is { } configured && !string.IsNullOrWhiteSpace(configured))
            return new MasterKey(TryParse(configured) ?? throw new OptionsValidationException(SecretsOptions.MasterKeyKey, typeof(SecretsOptions),
                [$"{SecretsOptions.MasterKeyKey} must be {Length} random bytes encoded in base64."]), false, null);

        var file = Path.Combine(paths.DataDirectory, "secrets", DevelopmentKeyFile);
        var key = KeyFiles.Read(file) is { } text ? TryParse(text) ?? throw Damaged(file) : null;
        if (key is null)
        {
            key = RandomNumberGenerator.GetBytes(Length);
            // Another process of this data directory may create it first: then use theirs.
            if (!KeyFiles.TryCreate(file, Convert.ToBase64String(key)))
                key = TryParse(KeyFiles.Read(file) ?? "") ?? throw Damaged(file);
        }
        logger.LogWarning(
            "{Key} is not set: secrets are encrypted with a development master key kept in {File}. " +
            "Set {Key} (32 random bytes, base64) in production and keep it out of the data directory.",
            SecretsOptions.MasterKeyKey, file, SecretsOptions.MasterKeyKey);
        return new MasterKey(key, true, file);
    }

    private static OptionsValidationException Damaged(string file) => new(SecretsOptions.MasterKeyKey, typeof(SecretsOptions),
        [$"{SecretsOptions.MasterKeyKey} is not set and the development key in {file} is damaged."]);
}
