using Catalyst.Data.Common;
using Microsoft.Net.Http.Headers;

namespace Catalyst.Portal.Infrastructure;

/// <summary>The one ETag helper: a versioned resource's ETag is its version number, quoted.</summary>
public static class ETags
{
    public static string Format(long version) => $"\"{version}\"";

    private const string ErrorETagKey = "catalyst.error-etag";

    /// <summary>Names the current version in the ETag of an error answer (a 412 after a stale If-Match).</summary>
    public static void SetOnErrorResponse(HttpContext context, long version) => context.Items[ErrorETagKey] = Format(version);

    /// <summary>
    /// The exception-handler middleware strips ETag from the answers it produces (with the other
    /// cache headers, in a response-starting callback). Registered before it, this callback runs
    /// after that one, so the ETag set by <see cref="SetOnErrorResponse"/> survives.
    /// </summary>
    public static IApplicationBuilder UseErrorResponseETags(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(static state =>
        {
            var http = (HttpContext)state;
            if (http.Items[ErrorETagKey] is string etag)
                http.Response.Headers.ETag = etag;
            return Task.CompletedTask;
        }, context);
        return next(context);
    });

    /// <summary>The version named by If-Match, or null when the header is absent.</summary>
    public static long? ParseIfMatch(HttpRequest request)
    {
        var header = request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(header))
            return null;
        if (EntityTagHeaderValue.TryParse(header, out var tag) && !tag.IsWeak &&
            long.TryParse(tag.Tag.AsSpan().Trim('"'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version))
            return version;
        // Anything else (a list, "*", a weak or foreign tag) cannot match a single current version.
        throw ValidationFailedException.For("If-Match", "If-Match must be a single strong ETag such as \"3\".");
    }

    /// <summary>If-Match for writes that require it (PUT/PATCH of versioned resources): 428 when absent.</summary>
    public static long RequireIfMatch(HttpRequest request) =>
        ParseIfMatch(request) ?? throw new PreconditionRequiredException();
}
