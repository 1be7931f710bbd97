namespace Catalyst.Portal.Infrastructure;

/// <summary>
/// Security headers of SPEC §16. Portal pages get a Content-Security-Policy without inline
/// script (htmx and page scripts come from wwwroot); the Hangfire dashboard and the API
/// reference bring their own inline code and get a policy that allows it for them only.
/// </summary>
public sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    private const string PortalPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    private const string ToolPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers.XFrameOptions = "DENY";
            if (!headers.ContainsKey("Content-Security-Policy"))
            {
                headers.ContentSecurityPolicy = path.StartsWithSegments("/hangfire") || path.StartsWithSegments("/api/docs")
                    ? ToolPolicy
                    : PortalPolicy;
            }
            return Task.CompletedTask;
        });
        return next(context);
    }
}
