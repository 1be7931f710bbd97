using System.Globalization;
using Catalyst.Data.Assets;
using Catalyst.Data.Common;
using Catalyst.Data.Storage;
using Catalyst.Data.Uploads;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Catalyst.Portal.Api;

/// <summary>
/// The tus 1.0.0 protocol (core, creation, creation-with-upload, expiration, checksum,
/// termination) over <see cref="UploadService"/>. Mapped twice: at <c>/api/uploads</c> for bearer
/// tokens, and at <c>/portal/uploads</c> for the portal's own pages (cookie + antiforgery header),
/// so the API itself never accepts cookies. No tus server library is used: tusdotnet is not on
/// this project's package mirror, and the protocol is small enough to state here.
/// </summary>
public static class UploadEndpoints
{
    public const string TusVersion = "1.0.0";
    public const string Extensions = "creation,creation-with-upload,expiration,checksum,termination";
    public const string OffsetContentType = "application/offset+octet-stream";

    public static void MapUploadEndpoints(this RouteGroupBuilder uploads)
    {
        uploads.WithTags("Uploads (tus)").WithMetadata(StreamsItsBody.Instance);
        uploads.AddEndpointFilter(TusHeadersFilter);

        uploads.MapMethods("", ["OPTIONS"], (IOptions<StorageOptions> options, HttpContext http) =>
            {
                var headers = http.Response.Headers;
                headers["Tus-Version"] = TusVersion;
                headers["Tus-Extension"] = Extensions;
                headers["Tus-Max-Size"] = options.Value.Uploads.MaxUploadBytes.ToString(CultureInfo.InvariantCulture);
                headers["Tus-Checksum-Algorithm"] = string.Join(',', UploadChecksum.SupportedAlgorithms);
                return TypedResults.NoContent();
            })
            .AllowAnonymous()
            .WithSummary("tus discovery: version, extensions, maximum size, checksum algorithms.");

        uploads.MapPost("", CreateAsync)
            .WithSummary("tus creation (and creation-with-upload): Upload-Length, Upload-Metadata (filename, filetype, target=asset|website-data, websiteId, projectId, ifMatch).")
            .Produces(StatusCodes.Status201Created).ProducesProblem(400).ProducesProblem(412).ProducesProblem(413).ProducesProblem(415);

        uploads.MapMethods("/{id:guid}", ["HEAD"], async (Guid id, HttpContext http, UploadService service, CancellationToken ct) =>
            {
                var upload = await service.GetAsync(http.User.ToActor(), id, ct);
                var headers = http.Response.Headers;
                headers["Upload-Offset"] = upload.Offset.ToString(CultureInfo.InvariantCulture);
                headers["Upload-Length"] = upload.Length.ToString(CultureInfo.InvariantCulture);
                if (upload.Metadata is { Length: > 0 } metadata)
                    headers["Upload-Metadata"] = metadata;
                if (!upload.IsComplete)
                    headers["Upload-Expires"] = upload.ExpiresAt.ToString("R", CultureInfo.InvariantCulture);
                headers.CacheControl = "no-store";
                return TypedResults.Ok();
            })
            .WithSummary("tus: the upload's durable offset. Never blocks on a running PATCH.")
            .ProducesProblem(404).ProducesProblem(410);

        uploads.MapPatch("/{id:guid}", async (Guid id, HttpContext http, UploadService service) =>
            {
                RequireOffsetContentType(http.Request);
                var offset = ParseLong(http.Request.Headers["Upload-Offset"], "Upload-Offset");
                var checksum = UploadChecksum.Parse(http.Request.Headers["Upload-Checksum"]);
                LiftBodyLimit(http);
                var upload = await service.AppendAsync(http.User.ToActor(), id, offset, http.Request.Body, checksum, http.RequestAborted);
                WriteProgress(http, upload);
                return TypedResults.NoContent();
            })
            .WithSummary("tus: append bytes at Upload-Offset (409 on mismatch, 423 while another PATCH runs, 460 on checksum mismatch).")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409).ProducesProblem(410).ProducesProblem(413)
            .ProducesProblem(415).ProducesProblem(423).ProducesProblem(460);

        uploads.MapDelete("/{id:guid}", async (Guid id, HttpContext http, UploadService service, CancellationToken ct) =>
            {
                await service.TerminateAsync(http.User.ToActor(), id, ct);
                return TypedResults.NoContent();
            })
            .WithSummary("tus termination: frees an unfinished upload; for a completed one removes the record only (the asset stays).")
            .ProducesProblem(404).ProducesProblem(423);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, UploadService service, PresignService presign)
    {
        var request = http.Request;
        if (request.Headers.ContainsKey("Upload-Defer-Length"))
            throw ValidationFailedException.For("Upload-Defer-Length", "Deferred length is not supported; send Upload-Length.");
        var length = ParseLong(request.Headers["Upload-Length"], "Upload-Length");
        var hasBody = request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);
        if (hasBody)
            RequireOffsetContentType(request);
        var checksum = hasBody ? UploadChecksum.Parse(request.Headers["Upload-Checksum"]) : null;

        var actor = http.User.ToActor();
        // A presigned grant decides name, type and target itself, and is spent by this request;
        // the upload's Location keeps the grant's query, which authorizes that upload's HEAD/PATCH/DELETE.
        var grantId = http.User.FindFirst(UploadGrantAuthenticationHandler.GrantIdClaim)?.Value;
        var upload = grantId is not null
            ? await presign.CreateGrantedUploadAsync(actor, Guid.Parse(grantId), length, http.RequestAborted)
            : await service.CreateAsync(actor, length, request.Headers["Upload-Metadata"].ToString() is { Length: > 0 } m ? m : null, http.RequestAborted);
        var location = $"{request.PathBase}{request.Path.Value!.TrimEnd('/')}/{upload.Id}{(grantId is not null ? request.QueryString.Value : "")}";
        if (hasBody && upload.Length > 0)
        {
            LiftBodyLimit(http);
            try
            {
                upload = await service.AppendAsync(actor, upload.Id, 0, request.Body, checksum, http.RequestAborted);
            }
            catch (StatusDomainException ex) when (ex.Status == 460)
            {
                // The upload exists; only the bytes of this request were refused.
                http.Response.Headers.Location = location;
                throw;
            }
        }
        http.Response.Headers.Location = location;
        WriteProgress(http, upload);
        return TypedResults.Created(location);
    }

    private static void WriteProgress(HttpContext http, Upload upload)
    {
        http.Response.Headers["Upload-Offset"] = upload.Offset.ToString(CultureInfo.InvariantCulture);
        if (!upload.IsComplete)
            http.Response.Headers["Upload-Expires"] = upload.ExpiresAt.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>Every tus answer carries Tus-Resumable; every request but OPTIONS must name version 1.0.0 (412 otherwise).</summary>
    private static async ValueTask<object?> TusHeadersFilter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        http.Response.Headers["Tus-Resumable"] = TusVersion;
        if (!HttpMethods.IsOptions(http.Request.Method) && http.Request.Headers["Tus-Resumable"].ToString() != TusVersion)
        {
            http.Response.Headers["Tus-Version"] = TusVersion;
            return TypedResults.Problem("This server speaks tus 1.0.0; send Tus-Resumable: 1.0.0.", statusCode: 412, title: "Unsupported tus version",
                extensions: new Dictionary<string, object?> { ["code"] = "tus_version_unsupported" });
        }
        return await next(context);
    }

    private static void RequireOffsetContentType(HttpRequest request)
    {
        if (!string.Equals(request.ContentType?.Split(';')[0].Trim(), OffsetContentType, StringComparison.OrdinalIgnoreCase))
            throw new StatusDomainException(415, "unsupported_media_type", $"Upload bytes must be sent as {OffsetContentType}.");
    }

    private static long ParseLong(string? value, string header)
    {
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            return number;
        throw ValidationFailedException.For(header, $"{header} must be a non-negative integer.");
    }

    /// <summary>Upload bodies are bounded by Upload-Length and the quota, not by the JSON body limit.</summary>
    private static void LiftBodyLimit(HttpContext http)
    {
        var feature = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
            feature.MaxRequestBodySize = null;
    }
}
