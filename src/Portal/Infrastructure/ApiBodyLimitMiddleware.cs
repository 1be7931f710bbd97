using Catalyst.Data.Configuration;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Catalyst.Portal.Infrastructure;

/// <summary>
/// JSON endpoints under <c>/api</c> accept at most <c>Catalyst:Api:MaxBodyBytes</c>: a declared
/// larger body is refused before it is read, a chunked one when it crosses the limit.
/// </summary>
public sealed class ApiBodyLimitMiddleware(RequestDelegate next, IOptions<CatalystOptions> options)
{
    public Task InvokeAsync(HttpContext context)
    {
        // Upload bytes have their own limits (Upload-Length, quota, Tus-Max-Size).
        if (context.Request.Path.StartsWithSegments("/api/uploads"))
            return next(context);
        var limit = options.Value.Api.MaxBodyBytes;
        if (context.Request.ContentLength > limit)
            throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
        var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
            feature.MaxRequestBodySize = limit;
        return next(context);
    }
}
