using System.Globalization;
using Catalyst.Data.Assets;
using Catalyst.Data.Common;
using Catalyst.Data.Storage;
using Catalyst.Data.Uploads;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Catalyst.Portal.Api;

/// <summary>
/// The tus 1.0.0 protocol (core, creation, creation-with-upload, expiration, checksum,
/// termination) over <see cref="UploadService"/>. Mapped twice: at <c>/api/uploads</c> for bearer
/// tokens, and at <c>/portal/uploads</c> for the portal's own pages (cookie + antiforgery header),
/// so the API itself never accepts cookies. No tus server library is used: tusdotnet is not on
/// this project's package mirror, and the protocol is small enough to state here and in
/// <see cref="TusProtocol"/> (the headers), which hands the service typed requests.
/// </summary>
public static class UploadEndpoints
{
    /// <summary>
    /// Maps the tus endpoints onto <paramref name="uploads"/>, a group the caller has placed and secured (it is mapped
    /// twice); the tags, the streaming marker and the Tus-Resumable filter go on that group.
    /// </summary>
    public static RouteGroupBuilder MapUploads(this RouteGroupBuilder uploads)
    {
        uploads.WithTags("Uploads (tus)").WithMetadata(StreamsItsBody.Instance);
        uploads.AddEndpointFilter(TusHeadersFilter);

        uploads.MapMethods("", ["OPTIONS"], Discover)
            .AllowAnonymous()
            .WithSummary("tus discovery: version, extensions, maximum size, checksum algorithms.");

        uploads.MapPost("", CreateAsync)
            .WithSummary("tus creation (and creation-with-upload): Upload-Length, Upload-Metadata (filename, filetype, target=asset|website-data, websiteId, projectId, ifMatch).")
            .ProducesProblem(400).ProducesProblem(412).ProducesProblem(413).ProducesProblem(415);

        uploads.MapMethods("/{id:guid}", ["HEAD"], HeadAsync)
            .WithSummary("tus: the upload's durable offset. Never blocks on a running PATCH.")
            .ProducesProblem(404).ProducesProblem(410);

        uploads.MapPatch("/{id:guid}", AppendAsync)
            .WithSummary("tus: append bytes at Upload-Offset (409 on mismatch, 423 while another PATCH runs, 460 on checksum mismatch).")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409).ProducesProblem(410).ProducesProblem(413)
            .ProducesProblem(415).ProducesProblem(423).ProducesProblem(460);

        uploads.MapDelete("/{id:guid}", TerminateAsync)
            .WithSummary("tus termination: frees an unfinished upload; for a completed one removes the record only (the asset stays).")
            .ProducesProblem(404).ProducesProblem(423);

        return uploads;
    }

    public static NoContent Discover(IOptions<StorageOptions> options, HttpContext http)
    {
        var headers = http.Response.Headers;
        headers["Tus-Version"] = TusProtocol.Version;
        headers["Tus-Extension"] = TusProtocol.Extensions;
        headers["Tus-Max-Size"] = options.Value.Uploads.MaxUploadBytes.ToString(CultureInfo.InvariantCulture);
        headers["Tus-Checksum-Algorithm"] = string.Join(',', TusProtocol.ChecksumAlgorithms);
        return TypedResults.NoContent();
    }

    public static async Task<Created> CreateAsync(HttpContext http, UploadService service, PresignService presign)
    {
        var request = http.Request;
        var length = TusProtocol.ReadLength(request);
        var append = TusProtocol.HasBody(request) ? TusProtocol.ReadAppend(request, offset: 0) : null;

        var actor = http.User.ToActor();
        // A presigned grant decides name, type and target itself (the client's Upload-Metadata is not read),
        // and is spent by this request; the upload's Location keeps the grant's query, which authorizes that
        // upload's HEAD/PATCH/DELETE.
        var grantId = http.User.FindFirst(UploadGrantAuthenticationHandler.GrantIdClaim)?.Value;
        var upload = grantId is not null
            ? await presign.CreateGrantedUploadAsync(actor, Guid.Parse(grantId), length, http.RequestAborted)
            : await service.CreateAsync(actor, TusProtocol.ReadCreation(request, length), http.RequestAborted);
        var location = $"{request.PathBase}{request.Path.Value!.TrimEnd('/')}/{upload.Id}{(grantId is not null ? request.QueryString.Value : "")}";
        if (append is not null && upload.Length > 0)
        {
            LiftBodyLimit(http);
            try
            {
                upload = await service.AppendAsync(actor, upload.Id, append, http.RequestAborted);
            }
            catch (ChecksumMismatchException)
            {
                // The upload exists; only the bytes of this request were refused.
                http.Response.Headers.Location = location;
                throw;
            }
        }
        http.Response.Headers.Location = location;
        TusProtocol.WriteProgress(http.Response, upload);
        return TypedResults.Created(location);
    }

    public static async Task<Ok> HeadAsync(Guid id, HttpContext http, UploadService service, CancellationToken ct)
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
    }

    public static async Task<NoContent> AppendAsync(Guid id, HttpContext http, UploadService service)
    {
        var append = TusProtocol.ReadAppend(http.Request);
        LiftBodyLimit(http);
        var upload = await service.AppendAsync(http.User.ToActor(), id, append, http.RequestAborted);
        TusProtocol.WriteProgress(http.Response, upload);
        return TypedResults.NoContent();
    }

    public static async Task<NoContent> TerminateAsync(Guid id, HttpContext http, UploadService service, CancellationToken ct)
    {
        await service.TerminateAsync(http.User.ToActor(), id, ct);
        return TypedResults.NoContent();
    }

    /// <summary>Every tus answer carries Tus-Resumable; every request but OPTIONS must name version 1.0.0 (412 otherwise).</summary>
    private static async ValueTask<object?> TusHeadersFilter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        http.Response.Headers["Tus-Resumable"] = TusProtocol.Version;
        if (!TusProtocol.SpeaksOurVersion(http.Request))
        {
            http.Response.Headers["Tus-Version"] = TusProtocol.Version;
            return TypedResults.Problem("This server speaks tus 1.0.0; send Tus-Resumable: 1.0.0.", statusCode: 412, title: "Unsupported tus version",
                extensions: new Dictionary<string, object?> { ["code"] = "tus_version_unsupported" });
        }
        return await next(context);
    }

    /// <summary>Upload bodies are bounded by Upload-Length and the quota, not by the JSON body limit.</summary>
    private static void LiftBodyLimit(HttpContext http)
    {
        var feature = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
            feature.MaxRequestBodySize = null;
    }
}
