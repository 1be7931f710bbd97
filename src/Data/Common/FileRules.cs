
namespace Catalyst.Data.Common;

/// <summary>File names and media types taken from users (assets, uploads, backups, packages): validated and cleaned in one way.</summary>
public static class FileRules
{
    public const int MaxFileNameLength = 255;
    public const int MaxMediaTypeLength = 127;
    public const string DefaultMediaType = "application/octet-stream";

    /// <summary>
    /// Refuses a file name a person would misread: one with bidirectional formatting controls, which
    /// make "\u202Egnp.exe" show as "exe.png" (SPEC §16). Every place that takes a file name from a
    /// user calls this before <see cref="CleanFileName"/>; <paramref name="field"/> is where the error goes.
    /// </summary>
    public static void ValidFileName(string? name, string field)
    {
        if (name is not null && PlainText.HasBidiControl(name))
            throw ValidationFailedException.For(field, "The file name must not contain bidirectional formatting characters (U+202A–U+202E, U+2066–U+2069).");
    }

    /// <summary>
    /// A file name fit for metadata and Content-Disposition: the last path segment only, no
    /// control or bidirectional formatting characters, bounded. It is never used as a path on the server.
    /// </summary>
    public static string CleanFileName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
            return "file";
        var last = name.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "file";
        var cleaned = new string(last.Where(c => !char.IsControl(c) && !PlainText.IsBidiControl(c) && c != '"').ToArray()).Trim();
        if (cleaned is "" or "." or "..")
            cleaned = "file";
        return cleaned.Length <= MaxFileNameLength ? cleaned : cleaned[..MaxFileNameLength];
    }

    /// <summary>A syntactically valid media type (type/subtype), else the octet-stream default.</summary>
    public static string CleanMediaType(string? mediaType)
    {
        if (string.IsNullOrWhiteSpace(mediaType) || mediaType.Length > MaxMediaTypeLength)
            return DefaultMediaType;
        return System.Net.Http.Headers.MediaTypeHeaderValue.TryParse(mediaType.Trim(), out var parsed) && parsed.MediaType is { } type && type.Contains('/', StringComparison.Ordinal)
            ? type.ToLowerInvariant()
            : DefaultMediaType;
    }
}
