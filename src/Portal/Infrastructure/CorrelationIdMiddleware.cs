using System.Diagnostics;
using Serilog.Context;

namespace Catalyst.Portal.Infrastructure;

/// <summary>
/// Every request gets a correlation id: the caller's <c>X-Correlation-Id</c> when it is sane,
/// otherwise the trace id. It is echoed in the response and attached to every log line.
/// </summary>
public sealed class CorrelationIdMiddleware(RequestDelegate next)
{
    public const string HeaderName = "X-Correlation-Id";

    public async Task InvokeAsync(HttpContext context)
    {
        var incoming = context.Request.Headers[HeaderName].ToString();
        var id = IsSane(incoming) ? incoming : Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
        context.Items[HeaderName] = id;
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[HeaderName] = id;
            return Task.CompletedTask;
        });
        using (LogContext.PushProperty("CorrelationId", id))
            await next(context);
    }

    private static bool IsSane(string value) =>
        value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    public static string? Get(HttpContext context) => context.Items[HeaderName] as string;
}
