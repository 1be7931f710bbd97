using System.Security.Cryptography;
using System.Text;
using Catalyst.Data.Common;
using Catalyst.Data.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Assets;

/// <summary>
/// The server key of presigned URLs and the one place that signs and checks them: HMAC-SHA256
/// over the operation and the bound values, base64url, compared in constant time. The key comes
/// from <c>Presign:Key</c>; without it one is generated once into <c>{data}/keys/presign.key</c>,
/// which suits one embedded Portal but not several instances (they must share a configured key).
/// </summary>
public sealed class PresignKey
{
    private const int SignatureLength = 43;
    private readonly byte[] key;

    public PresignKey(IOptions<PresignOptions> options, CatalystPaths paths, ILogger<PresignKey> logger)
    {
        if (options.Value.Key is { Length: > 0 } configured)
        {
            key = Decode(configured) ?? throw new OptionsValidationException(nameof(PresignOptions), typeof(PresignOptions), ["Presign:Key is not valid."]);
            return;
        }
        var file = Path.Combine(paths.DataDirectory, "keys", "presign.key");
        key = LoadOrCreate(file);
        logger.LogWarning("Presign:Key is not configured; presigned URLs are signed with a key generated into {KeyFile}. Configure Presign:Key when more than one Portal serves the same data.", file);
    }

    public static byte[]? Decode(string value)
    {
        try
        {
            var bytes = Convert.FromBase64String(value.Trim());
            return bytes.Length >= PresignOptions.MinKeyBytes ? bytes : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The signature of <paramref name="parts"/> (joined by newlines, so no part can run into the next).</summary>
    public string Sign(params string[] parts) =>
        Base64Url(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(string.Join('\n', parts))));

    /// <summary>True when <paramref name="signature"/> is the signature of <paramref name="parts"/>; constant time.</summary>
    public bool Verify(string? signature, params string[] parts)
    {
        // 32 bytes are 43 base64url characters; anything else is not a signature of ours.
        if (signature is not { Length: SignatureLength } || !signature.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            return false;
        Span<byte> given = stackalloc byte[HMACSHA256.HashSizeInBytes + 2];
        if (System.Buffers.Text.Base64Url.DecodeFromChars(signature, given) != HMACSHA256.HashSizeInBytes)
            return false;
        var expected = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(string.Join('\n', parts)));
        return CryptographicOperations.FixedTimeEquals(expected, given[..HMACSHA256.HashSizeInBytes]);
    }

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private static byte[] LoadOrCreate(string file)
    {
        if (KeyFiles.Read(file) is { } text && Decode(text) is { } existing)
            return existing;
        var created = RandomNumberGenerator.GetBytes(32);
        // Two processes starting together: the first file to land wins, the other reads it.
        if (KeyFiles.TryCreate(file, Convert.ToBase64String(created)))
            return created;
        return Decode(KeyFiles.Read(file) ?? "") ?? throw new InvalidOperationException($"{file} does not hold a valid presign key; delete it or configure Presign:Key.");
    }
}
