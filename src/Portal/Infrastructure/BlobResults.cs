using Catalyst.Data.Storage;
using Microsoft.Net.Http.Headers;

namespace Catalyst.Portal.Infrastructure;

/// <summary>
/// Serves user-uploaded bytes (SPEC §16): ranges through ASP.NET Core's file-result logic over
/// a seekable blob stream (206, 416, suffix ranges, If-Range, ETag, 304), inline only for types
/// a browser cannot execute, always with nosniff and a sandboxing CSP so an uploaded HTML or SVG
/// file never runs script in the portal's origin.
/// </summary>
public static class BlobResults
{
    private static readonly HashSet<string> InlineTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp", "image/x-icon",
        "application/pdf", "text/plain",
    };

    /// <summary>Never inline, but also not text: JSON and archives keep their type.</summary>
    private static readonly HashSet<string> KeepType = new(StringComparer.OrdinalIgnoreCase) { "application/json", "application/gzip", "application/zip" };

    /// <param name="attachment">Always a download, also for types a browser would show (a marketplace package:
    /// shown in the tab, its single-use URL would be spent by a reload).</param>
    public static IResult Serve(HttpContext http, Stream content, string mediaType, string fileName, string sha256, DateTime lastModified, bool immutable,
        bool attachment = false)
    {
        var headers = http.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
        headers.CacheControl = immutable ? "private, max-age=31536000, immutable" : "private, no-cache";
        var inline = !attachment && InlineTypes.Contains(mediaType);
        var disposition = new ContentDispositionHeaderValue(inline ? "inline" : "attachment");
        disposition.SetHttpFileName(fileName);
        headers.ContentDisposition = disposition.ToString();
        if (content is BlobReadStream blob && SingleRangeEnd(http.Request, blob.Length) is { } end)
            blob.ReadAheadLimit = end;
        var type = inline || InlineTypes.Contains(mediaType) || KeepType.Contains(mediaType) ? mediaType : mediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase) ? "text/plain" : mediaType;
        return Results.Stream(content, type,
            fileDownloadName: null, lastModified: new DateTimeOffset(lastModified, TimeSpan.Zero),
            entityTag: new EntityTagHeaderValue($"\"{sha256}\""), enableRangeProcessing: true);
    }

    /// <summary>Where a request for one byte range stops (exclusive), so the blob stream fetches nothing past it; null for none or several.</summary>
    private static long? SingleRangeEnd(HttpRequest request, long length)
    {
        if (!RangeHeaderValue.TryParse(request.Headers.Range.ToString(), out var range) || range.Ranges.Count != 1)
            return null;
        var item = range.Ranges.First();
        return item switch
        {
            { From: not null, To: { } to } => Math.Min(to + 1, length),
            { From: not null, To: null } => length,
            _ => length, // a suffix range: the last bytes, up to the end
        };
    }
}

/// <summary>Lets a Razor Page handler return a minimal-API result (the same blob serving in both places).</summary>
public sealed class HttpResultAction(IResult result) : Microsoft.AspNetCore.Mvc.IActionResult
{
    public Task ExecuteResultAsync(Microsoft.AspNetCore.Mvc.ActionContext context) => result.ExecuteAsync(context.HttpContext);
}
