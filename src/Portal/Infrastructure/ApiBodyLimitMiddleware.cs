using Catalyst.Data.Configuration;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Catalyst.Portal.Infrastructure;

/// <summary>
/// Marks an endpoint that reads its body as a stream under limits of its own (tus uploads,
/// website data), so the JSON body limit does not apply to it.
/// </summary>
public sealed class StreamsItsBody
{
    public static readonly StreamsItsBody Instance = new();
}

/// <summary>
/// JSON endpoints under <c>/api</c> accept at most <c>Catalyst:Api:MaxBodyBytes</c>: a declared
/// larger body is refused before it is read, a chunked one when it crosses the limit. Runs after
/// routing, so endpoints marked <see cref="StreamsItsBody"/> are left to their own limits.
/// </summary>
public sealed class ApiBodyLimitMiddleware(RequestDelegate next, IOptions<CatalystOptions> options)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<StreamsItsBody>() is not null)
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
