using System.Text;
using Catalyst.Data.Assets;
using Catalyst.Data.Common;

namespace Catalyst.Data.Uploads;

/// <summary>
/// The tus <c>Upload-Metadata</c> header: comma-separated pairs of a key and an optional
/// base64 value. Malformed headers are refused (400) rather than half understood.
/// </summary>
public static class UploadMetadata
{
    public const int MaxHeaderLength = 4096;

    /// <summary>The keys tus clients name the file with (Uppy and tus-js-client send <c>filename</c>, some <c>name</c>).</summary>
    private static readonly string[] FileNameKeys = ["filename", "name"];

    public static Dictionary<string, string?> Parse(string? header)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(header))
            return result;
        if (header.Length > MaxHeaderLength)
            throw Invalid($"Upload-Metadata must be at most {MaxHeaderLength} characters.");
        foreach (var pair in header.Split(','))
        {
            var parts = pair.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length is 0 or > 2)
                throw Invalid("Each Upload-Metadata pair is a key and an optional base64 value.");
            var key = parts[0];
            if (key.Any(c => c > 127 || char.IsControl(c)))
                throw Invalid("Upload-Metadata keys must be ASCII.");
            if (!result.TryAdd(key, parts.Length == 2 ? Decode(key, parts[1]) : null))
                throw Invalid($"Upload-Metadata key '{key}' appears twice.");
        }
        // The file name becomes the asset's name: refused here, at creation, rather than cleaned later.
        foreach (var key in FileNameKeys)
            AssetRules.ValidFileName(result.GetValueOrDefault(key), key);
        return result;
    }

    private static string Decode(string key, string value)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(value));
        }
        catch (Exception ex) when (ex is FormatException or DecoderFallbackException or ArgumentException)
        {
            throw Invalid($"The Upload-Metadata value of '{key}' is not base64-encoded UTF-8.");
        }
    }

    private static ValidationFailedException Invalid(string message) => ValidationFailedException.For("Upload-Metadata", message);
}
