using System.Security.Cryptography;
using Catalyst.Data.Common;

namespace Catalyst.Data.Uploads;

/// <summary>The tus checksum extension's <c>Upload-Checksum: &lt;algorithm&gt; &lt;base64 digest&gt;</c> for one PATCH.</summary>
public sealed record UploadChecksum(HashAlgorithmName Algorithm, byte[] Digest)
{
    public static readonly IReadOnlyList<string> SupportedAlgorithms = ["sha1", "sha256"];

    public static UploadChecksum? Parse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
            return null;
        var parts = header.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2)
            throw ValidationFailedException.For("Upload-Checksum", "Upload-Checksum is an algorithm and a base64 digest.");
        var (algorithm, size) = parts[0].ToLowerInvariant() switch
        {
            "sha1" => (HashAlgorithmName.SHA1, 20),
            "sha256" => (HashAlgorithmName.SHA256, 32),
            _ => throw ValidationFailedException.For("Upload-Checksum", $"Unsupported checksum algorithm '{parts[0]}'; use sha1 or sha256."),
        };
        byte[] digest;
        try { digest = Convert.FromBase64String(parts[1]); }
        catch (FormatException) { throw ValidationFailedException.For("Upload-Checksum", "The checksum digest is not base64."); }
        if (digest.Length != size)
            throw ValidationFailedException.For("Upload-Checksum", $"A {parts[0]} digest is {size} bytes.");
        return new UploadChecksum(algorithm, digest);
    }

    public IncrementalHash CreateHash() => IncrementalHash.CreateHash(Algorithm);
}
