using Microsoft.AspNetCore.Antiforgery;

namespace Catalyst.Portal.Infrastructure;

/// <summary>Cookie-authenticated endpoints outside Razor Pages (the portal's tus uploads) require the antiforgery header on every unsafe method.</summary>
public sealed class AntiforgeryHeaderFilter(IAntiforgery antiforgery) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method) && !HttpMethods.IsOptions(http.Request.Method)
            && !await antiforgery.IsRequestValidAsync(http))
        {
            return TypedResults.Problem("The antiforgery token is missing or invalid.", statusCode: 400, title: "Bad request",
                extensions: new Dictionary<string, object?> { ["code"] = "antiforgery_failed" });
        }
        return await next(context);
    }
}
