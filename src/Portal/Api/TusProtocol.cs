using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Catalyst.Data.Common;
using Catalyst.Data.Uploads;
using Catalyst.Portal.Infrastructure;

namespace Catalyst.Portal.Api;

/// <summary>
/// The tus 1.0.0 wire format: reads <c>Upload-Length</c>, <c>Upload-Offset</c>,
/// <c>Upload-Metadata</c> and <c>Upload-Checksum</c> into the typed requests
/// <see cref="UploadService"/> takes, and enforces the header rules (Tus-Resumable, no deferred
/// length, the offset media type). Malformed headers are refused (400) rather than half
/// understood; what the values mean (limits, targets, file names) is the service's business.
/// </summary>
public static class TusProtocol
{
    public const string Version = "1.0.0";
    public const string Extensions = "creation,creation-with-upload,expiration,checksum,termination";
    public const string OffsetContentType = "application/offset+octet-stream";
    public static readonly IReadOnlyList<string> ChecksumAlgorithms = ["sha1", "sha256"];

    /// <summary>Every request but OPTIONS must name the version this server speaks.</summary>
    public static bool SpeaksOurVersion(HttpRequest request) =>
        HttpMethods.IsOptions(request.Method) || request.Headers["Tus-Resumable"].ToString() == Version;

    /// <summary>The declared length of a creation request (deferred lengths are not supported).</summary>
    public static long ReadLength(HttpRequest request)
    {
        if (request.Headers.ContainsKey("Upload-Defer-Length"))
            throw ValidationFailedException.For("Upload-Defer-Length", "Deferred length is not supported; send Upload-Length.");
        return ReadNonNegative(request, "Upload-Length");
    }

    /// <summary>A creation request: its length and its decoded metadata, the header itself kept to be echoed on HEAD.</summary>
    public static UploadCreation ReadCreation(HttpRequest request, long length)
    {
        var header = request.Headers["Upload-Metadata"].ToString() is { Length: > 0 } value ? value : null;
        return new UploadCreation(length, ParseMetadata(header)) { EchoedMetadata = header };
    }

    /// <summary>Whether a creation request carries bytes too (creation-with-upload).</summary>
    public static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    /// <summary>
    /// The bytes of a PATCH (or of a creation-with-upload, at offset 0). The body is wrapped so a
    /// client that goes away mid-body reads as an <see cref="IOException"/>, which the service
    /// treats as the end of what arrived.
    /// </summary>
    public static UploadAppend ReadAppend(HttpRequest request, long? offset = null)
    {
        RequireOffsetContentType(request);
        var at = offset ?? ReadNonNegative(request, "Upload-Offset");
        return new UploadAppend(at, new RequestBodyStream(request.Body), ParseChecksum(request.Headers["Upload-Checksum"]));
    }

    /// <summary>The offset and expiry the client resumes from, on every answer that moves an upload.</summary>
    public static void WriteProgress(HttpResponse response, Upload upload)
    {
        response.Headers["Upload-Offset"] = upload.Offset.ToString(CultureInfo.InvariantCulture);
        if (!upload.IsComplete)
            response.Headers["Upload-Expires"] = upload.ExpiresAt.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary><c>Upload-Metadata</c>: comma-separated pairs of an ASCII key and an optional base64 (UTF-8) value.</summary>
    public static Dictionary<string, string?> ParseMetadata(string? header)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(header))
            return result;
        if (header.Length > Upload.MaxMetadataLength)
            throw InvalidMetadata($"Upload-Metadata must be at most {Upload.MaxMetadataLength} characters.");
        foreach (var pair in header.Split(','))
        {
            var parts = pair.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length is 0 or > 2)
                throw InvalidMetadata("Each Upload-Metadata pair is a key and an optional base64 value.");
            var key = parts[0];
            if (key.Any(c => c > 127 || char.IsControl(c)))
                throw InvalidMetadata("Upload-Metadata keys must be ASCII.");
            if (!result.TryAdd(key, parts.Length == 2 ? DecodeMetadataValue(key, parts[1]) : null))
                throw InvalidMetadata($"Upload-Metadata key '{key}' appears twice.");
        }
        return result;
    }

    /// <summary><c>Upload-Checksum: &lt;algorithm&gt; &lt;base64 digest&gt;</c>, or null when the header is absent.</summary>
    public static UploadChecksum? ParseChecksum(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
            return null;
        var parts = header.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2)
            throw InvalidChecksum("Upload-Checksum is an algorithm and a base64 digest.");
        var (algorithm, size) = parts[0].ToLowerInvariant() switch
        {
            "sha1" => (HashAlgorithmName.SHA1, 20),
            "sha256" => (HashAlgorithmName.SHA256, 32),
            _ => throw InvalidChecksum($"Unsupported checksum algorithm '{parts[0]}'; use sha1 or sha256."),
        };
        byte[] digest;
        try { digest = Convert.FromBase64String(parts[1]); }
        catch (FormatException) { throw InvalidChecksum("The checksum digest is not base64."); }
        if (digest.Length != size)
            throw InvalidChecksum($"A {parts[0]} digest is {size} bytes.");
        return new UploadChecksum(algorithm, digest);
    }

    private static void RequireOffsetContentType(HttpRequest request)
    {
        if (!string.Equals(request.ContentType?.Split(';')[0].Trim(), OffsetContentType, StringComparison.OrdinalIgnoreCase))
            throw new UnsupportedMediaTypeException($"Upload bytes must be sent as {OffsetContentType}.");
    }

    private static long ReadNonNegative(HttpRequest request, string header)
    {
        if (long.TryParse(request.Headers[header].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            return number;
        throw ValidationFailedException.For(header, $"{header} must be a non-negative integer.");
    }

    private static string DecodeMetadataValue(string key, string value)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(value));
        }
        catch (Exception ex) when (ex is FormatException or DecoderFallbackException or ArgumentException)
        {
            throw InvalidMetadata($"The Upload-Metadata value of '{key}' is not base64-encoded UTF-8.");
        }
    }

    private static ValidationFailedException InvalidMetadata(string message) => ValidationFailedException.For("Upload-Metadata", message);

    private static ValidationFailedException InvalidChecksum(string message) => ValidationFailedException.For("Upload-Checksum", message);
}
