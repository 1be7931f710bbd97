using System.Text.Json;
using Catalyst.Data.Backups;
using Catalyst.Data.Common;
using Catalyst.Data.Deployments;
using Catalyst.Data.Secrets;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Catalyst.Portal.Infrastructure;

/// <summary>
/// The one mapper from exceptions to RFC 9457 problem details. Each domain error type gets its
/// HTTP status here and nowhere else (services raise <see cref="GoneException"/>, not 410) and
/// keeps its stable code; bad requests (malformed JSON, oversized bodies, wrong types) become
/// 4xx, and anything else is a 500 without internals in the answer.
/// </summary>
public sealed class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var context = httpContext;
        var problem = Map(exception);
        if (problem.Status >= 500)
            logger.LogError(exception, "Unhandled exception on {Path}", context.Request.Path);
        else
            logger.LogInformation("Request rejected with {Status} {Code}: {Message}", problem.Status, problem.Extensions["code"], exception.Message);

        // Pages fall through to the /Error page, which renders the same status for people.
        // The middleware has already pointed Request.Path at /Error; the feature keeps the original.
        var path = context.Features.Get<IExceptionHandlerPathFeature>()?.Path ?? context.Request.Path.Value;
        if (context.Response.HasStarted || !PortalPipeline.IsApiPath(path))
            return false;
        context.Response.StatusCode = problem.Status ?? 500;
        if (exception is VersionConflictException conflict)
            ETags.SetOnErrorResponse(context, conflict.CurrentVersion);
        if (exception is LockedException { RetryAfter: { } retryAfter })
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    public static ProblemDetails Map(Exception exception)
    {
        var problem = exception switch
        {
            ValidationFailedException v => Problem(400, "Validation failed", v.Message, v.Code, v.Errors),
            MalformedJsonException m => Problem(400, "Malformed JSON", m.Message, m.Code),
            UnauthenticatedException u => Problem(401, "Unauthorized", u.Message, u.Code),
            PaymentDeclinedException p => Problem(402, "Payment declined", p.Message, p.Code),
            ForbiddenException f => Problem(403, "Forbidden", f.Message, f.Code),
            NotFoundException n => Problem(404, "Not found", n.Message, n.Code),
            ConflictException c => Problem(409, "Conflict", c.Message, c.Code),
            GoneException g => Problem(410, "Gone", g.Message, g.Code),
            VersionConflictException c => Problem(412, "Version conflict", c.Message, c.Code),
            TooLargeException t => Problem(413, "Payload too large", t.Message, t.Code),
            QuotaExceededException q => Problem(413, "Quota exceeded", q.Message, q.Code),
            UnsupportedMediaTypeException u => Problem(415, "Unsupported media type", u.Message, u.Code),
            LockedException l => Problem(423, "Locked", l.Message, l.Code),
            PreconditionRequiredException p => Problem(428, "Precondition required", p.Message, p.Code),
            ChecksumMismatchException c => Problem(460, "Checksum mismatch", c.Message, c.Code),
            // Raised and handled inside jobs, deliveries and the vault's audit: reaching a request is a fault (and logged as one).
            SecretTamperedException or BackupInvalidException or EndpointRefusedException => InternalError(),
            BadHttpRequestException { StatusCode: 413 } => Problem(413, "Payload too large", "The request body is larger than this endpoint accepts.", "payload_too_large"),
            BadHttpRequestException { StatusCode: 415 } b => Problem(415, "Unsupported media type", b.Message, "unsupported_media_type"),
            BadHttpRequestException b when b.InnerException is JsonException j => Problem(400, "Malformed JSON", DescribeJson(j), "malformed_json"),
            BadHttpRequestException b when IsBodyRead(b) => Problem(400, "Malformed JSON", "The request body could not be read as JSON.", "malformed_json"),
            BadHttpRequestException b when b.Message.Contains("no body was provided", StringComparison.Ordinal) =>
                Problem(400, "Missing body", "This endpoint needs a JSON body.", "missing_body"),
            BadHttpRequestException b when ParameterName(b) is { } parameter =>
                Problem(400, "Invalid parameter", $"The value of '{parameter}' is not valid.", "invalid_parameter"),
            BadHttpRequestException b => Problem(b.StatusCode, "Bad request", b.Message, ProblemCodes.ForStatus(b.StatusCode)),
            JsonException j => Problem(400, "Malformed JSON", DescribeJson(j), "malformed_json"),
            OperationCanceledException => Problem(499, "Request canceled", "The request was canceled.", "canceled"),
            // Also a domain error missing above: a bug here, which a unit test walking every type catches.
            _ => InternalError(),
        };
        return problem;
    }

    private static ProblemDetails InternalError() =>
        Problem(500, "Internal server error", "An unexpected error occurred. It has been logged.", "internal_error");

    private static bool IsBodyRead(BadHttpRequestException exception) =>
        exception.Message.Contains("from the request body", StringComparison.Ordinal);

    /// <summary>The parameter named by a binding failure ("Failed to bind parameter \"Nullable&lt;int&gt; page\" from ...").</summary>
    private static string? ParameterName(BadHttpRequestException exception)
    {
        const string prefix = "Failed to bind parameter \"";
        if (!exception.Message.StartsWith(prefix, StringComparison.Ordinal))
            return null;
        var end = exception.Message.IndexOf('"', prefix.Length);
        if (end < 0)
            return null;
        var declaration = exception.Message[prefix.Length..end];
        return declaration[(declaration.LastIndexOf(' ') + 1)..];
    }

    private static string DescribeJson(JsonException exception) =>
        exception.Path is { Length: > 0 } path
            ? $"The request body is not valid JSON for this endpoint (at {path})."
            : "The request body is not valid JSON.";

    private static ProblemDetails Problem(int status, string title, string detail, string code, IReadOnlyDictionary<string, string[]>? errors = null)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        problem.Extensions["code"] = code;
        if (errors is not null)
            problem.Extensions["errors"] = errors;
        return problem;
    }
}
