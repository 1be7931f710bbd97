using System.Globalization;
using Catalyst.Data.Common;
using Catalyst.Data.Identity;
using Catalyst.Data.Storage;
using Catalyst.Data.Uploads;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Assets;

public sealed record PresignedDownload(Guid AssetId, string? Url, DateTime? ExpiresAt, string? Error = null);

public sealed record UploadPresignRequest(string? FileName, long? Length, string? MediaType, Guid? ProjectId, Guid? WebsiteId, int? ExpiresIn);

public sealed record PresignedUpload(Guid GrantId, string Url, DateTime ExpiresAt, long Length);

/// <summary>The identity an upload grant stands for: its user, checked like a token (a disabled user's grants stop working).</summary>
public sealed record GrantIdentity(UploadGrant Grant, Guid UserId, string Email, bool IsAdmin);

/// <summary>
/// Presigned asset URLs (SPEC §8). A download URL is <c>/api/assets/{id}/content?exp=&amp;sig=</c>, where
/// sig is the HMAC of ("download", asset id, exp): no state, checked in constant time, 403 when it
/// does not match, 410 once exp has passed. An upload URL is a tus creation URL
/// <c>/api/uploads?grant=&amp;exp=&amp;sig=</c> over an <see cref="UploadGrant"/> row that binds the user,
/// length and target (all signed); the row is claimed by one conditional UPDATE, so it works once
/// across concurrent requests and Portal instances, and a second use answers 410.
/// </summary>
public sealed class PresignService(
    CatalystDbContext db,
    PresignKey key,
    UploadService uploads,
    IEnumerable<IUploadCompletionHandler> handlers,
    IOptions<PresignOptions> options,
    IOptions<StorageOptions> storage,
    TimeProvider time)
{
    public const string Download = "download";
    public const string Upload = "upload";
    /// <summary>Query parameters that carry a presigned URL's proof.</summary>
    public const string GrantParameter = "grant", ExpiresParameter = "exp", SignatureParameter = "sig";

    private PresignOptions Options => options.Value;

    public async Task<IReadOnlyList<PresignedDownload>> PresignDownloadsAsync(Actor actor, IReadOnlyList<Guid>? assetIds, int? expiresIn, CancellationToken ct)
    {
        if (assetIds is null || assetIds.Count == 0)
            throw ValidationFailedException.For("assetIds", "Name at least one asset id.");
        if (assetIds.Count > Options.MaxAssetIds)
            throw ValidationFailedException.For("assetIds", $"At most {Options.MaxAssetIds} asset ids per request.");
        var expiresAt = ExpiresAt(expiresIn);
        var ids = assetIds.Distinct().ToList();
        var query = db.Set<Asset>().AsNoTracking().Where(a => ids.Contains(a.Id));
        if (!actor.IsAdmin)
            query = query.Where(a => a.OwnerId == actor.UserId);
        var visible = (await query.Select(a => a.Id).ToListAsync(ct)).ToHashSet();
        // One answer per distinct id, in the order asked; another user's asset looks exactly like a missing one.
        return ids.Select(id => visible.Contains(id) ? SignDownload(id, expiresAt) : new PresignedDownload(id, null, null, "not_found")).ToList();
    }

    public async Task<PresignedDownload> PresignDownloadAsync(Actor actor, Guid assetId, int? expiresIn, CancellationToken ct)
    {
        var expiresAt = ExpiresAt(expiresIn);
        var query = db.Set<Asset>().AsNoTracking().Where(a => a.Id == assetId);
        if (!actor.IsAdmin)
            query = query.Where(a => a.OwnerId == actor.UserId);
        if (!await query.AnyAsync(ct))
            throw new NotFoundException("Asset");
        return SignDownload(assetId, expiresAt);
    }

    /// <summary>The asset a presigned download URL names, after its signature (403) and expiry (410) are checked.</summary>
    public async Task<Asset> OpenDownloadAsync(Guid assetId, string? exp, string? sig, CancellationToken ct)
    {
        if (!long.TryParse(exp, NumberStyles.None, CultureInfo.InvariantCulture, out var expires) || !key.Verify(sig, Download, assetId.ToString("N"), exp!))
            throw Tampered();
        if (expires <= time.GetUtcNow().ToUnixTimeSeconds())
            throw Expired();
        return await db.Set<Asset>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == assetId, ct) ?? throw new NotFoundException("Asset");
    }

    public async Task<PresignedUpload> PresignUploadAsync(Actor actor, UploadPresignRequest request, CancellationToken ct)
    {
        if (request.Length is not { } length || length < 0)
            throw ValidationFailedException.For("length", "length must be a non-negative integer.");
        if (length > storage.Value.Uploads.MaxUploadBytes)
            throw new TooLargeException("upload_too_large", $"Uploads are limited to {storage.Value.Uploads.MaxUploadBytes} bytes.");
        if (request.FileName is { Length: > AssetRules.MaxFileNameLength * 4 })
            throw ValidationFailedException.For("fileName", "fileName is too long.");
        AssetRules.ValidFileName(request.FileName, "fileName");
        if (request.MediaType is { Length: > AssetRules.MaxMediaTypeLength })
            throw ValidationFailedException.For("mediaType", $"mediaType is limited to {AssetRules.MaxMediaTypeLength} characters.");
        var expiresAt = ExpiresAt(request.ExpiresIn);

        // The same target rules as a tus creation with a token: your own project and website only (404 otherwise).
        var handler = handlers.First(h => h.Target == UploadTargets.Asset);
        var probe = new Upload { Target = UploadTargets.Asset, OwnerId = actor.UserId };
        var metadata = new Dictionary<string, string?>
        {
            ["projectId"] = request.ProjectId?.ToString(),
            ["websiteId"] = request.WebsiteId?.ToString(),
        };
        await handler.ValidateAsync(actor, probe, metadata, ct);

        var grant = new UploadGrant
        {
            Id = Guid.CreateVersion7(),
            UserId = actor.UserId,
            Length = length,
            FileName = AssetRules.CleanFileName(request.FileName),
            MediaType = AssetRules.CleanMediaType(request.MediaType),
            ProjectId = request.ProjectId,
            WebsiteId = request.WebsiteId,
            CreatedAt = Clock.UtcNow(time),
            ExpiresAt = expiresAt.UtcDateTime,
        };
        db.Set<UploadGrant>().Add(grant);
        await db.SaveChangesAsync(ct);
        // Housekeeping: grants that ended over a day ago prove nothing any more, unless their upload
        // still exists (its HEAD/PATCH/DELETE are authorized by the grant until it goes).
        var stale = grant.CreatedAt.AddDays(-1);
        await db.Set<UploadGrant>()
            .Where(g => g.UserId == actor.UserId && g.ExpiresAt < stale && (g.UploadId == null || !db.Set<Upload>().Any(u => u.Id == g.UploadId)))
            .ExecuteDeleteAsync(ct);
        return new PresignedUpload(grant.Id, "/api/uploads?" + GrantQuery(grant, expiresAt.ToUnixTimeSeconds()), grant.ExpiresAt, length);
    }

    /// <summary>The query string that proves a grant; also appended to the Location of the upload it creates.</summary>
    public string GrantQuery(UploadGrant grant, long exp)
    {
        var e = exp.ToString(CultureInfo.InvariantCulture);
        return $"{GrantParameter}={grant.Id:N}&{ExpiresParameter}={e}&{SignatureParameter}={key.Sign(Upload, grant.Id.ToString("N"), e, grant.Binding)}";
    }

    /// <summary>
    /// Checks a grant URL. For the creation request (<paramref name="uploadId"/> null) the grant must be
    /// unexpired and unused (410 otherwise); for the upload it created (HEAD, PATCH, DELETE) it must name
    /// that upload (403 otherwise), whose own expiry then applies.
    /// </summary>
    public async Task<GrantIdentity> VerifyGrantAsync(string? grantValue, string? exp, string? sig, Guid? uploadId, CancellationToken ct)
    {
        if (!Guid.TryParseExact(grantValue, "N", out var grantId) || !long.TryParse(exp, NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
            throw Tampered();
        var row = await db.Set<UploadGrant>().AsNoTracking()
            .Where(g => g.Id == grantId)
            .Join(db.Set<CatalystUser>(), g => g.UserId, u => u.Id, (g, u) => new
            {
                Grant = g,
                u.Email,
                u.IsDisabled,
                IsAdmin = db.UserRoles.Any(ur => ur.UserId == u.Id && db.Roles.Any(r => r.Id == ur.RoleId && r.NormalizedName == "ADMIN")),
            })
            .FirstOrDefaultAsync(ct);
        if (row is null || !key.Verify(sig, Upload, grantId.ToString("N"), exp!, row.Grant.Binding)
            || new DateTimeOffset(row.Grant.ExpiresAt, TimeSpan.Zero).ToUnixTimeSeconds() != expires)
            throw Tampered();
        if (row.IsDisabled)
            throw new ForbiddenException("The user who granted this upload is disabled.");
        if (uploadId is null)
        {
            if (row.Grant.UsedAt is not null)
                throw Used();
            if (expires <= time.GetUtcNow().ToUnixTimeSeconds())
                throw Expired();
        }
        else if (row.Grant.UploadId != uploadId)
        {
            throw new ForbiddenException("This upload grant does not cover that upload.", "presign_wrong_upload");
        }
        return new GrantIdentity(row.Grant, row.Grant.UserId, row.Email ?? "", row.IsAdmin);
    }

    /// <summary>
    /// Spends the grant and creates its upload as the granting user. The claim is one conditional
    /// UPDATE (unused and unexpired): of concurrent uses exactly one wins and the rest answer 410.
    /// Should the creation itself fail (quota, say), the claim is released so the grant can be retried.
    /// </summary>
    public async Task<Upload> CreateGrantedUploadAsync(Actor actor, Guid grantId, long length, CancellationToken ct)
    {
        var grant = await db.Set<UploadGrant>().AsNoTracking().FirstOrDefaultAsync(g => g.Id == grantId, ct) ?? throw Tampered();
        if (grant.UserId != actor.UserId)
            throw Tampered();
        if (length != grant.Length)
            throw new ForbiddenException($"This upload grant is for exactly {grant.Length} bytes.", "presign_length_mismatch");
        var now = Clock.UtcNow(time);
        var claimed = await db.Set<UploadGrant>()
            .Where(g => g.Id == grantId && g.UsedAt == null && g.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(g => g.UsedAt, now), ct);
        if (claimed == 0)
            throw grant.ExpiresAt <= now ? Expired() : Used();

        Upload upload;
        try
        {
            upload = await uploads.CreateAsync(actor, new UploadCreation(grant.Length, GrantedMetadata(grant)), ct);
        }
        catch
        {
            await db.Set<UploadGrant>().Where(g => g.Id == grantId && g.UsedAt == now && g.UploadId == null)
                .ExecuteUpdateAsync(s => s.SetProperty(g => g.UsedAt, (DateTime?)null), CancellationToken.None);
            throw;
        }
        await db.Set<UploadGrant>().Where(g => g.Id == grantId).ExecuteUpdateAsync(s => s.SetProperty(g => g.UploadId, upload.Id), ct);
        return upload;
    }

    /// <summary>The metadata of a granted upload: the grant decides name, type and target, not the client.</summary>
    private static Dictionary<string, string?> GrantedMetadata(UploadGrant grant)
    {
        var metadata = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["filename"] = grant.FileName,
            ["filetype"] = grant.MediaType,
            ["target"] = UploadTargets.Asset,
        };
        if (grant.ProjectId is { } projectId) metadata["projectId"] = projectId.ToString();
        if (grant.WebsiteId is { } websiteId) metadata["websiteId"] = websiteId.ToString();
        return metadata;
    }

    private PresignedDownload SignDownload(Guid assetId, DateTimeOffset expiresAt)
    {
        var exp = expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var sig = key.Sign(Download, assetId.ToString("N"), exp);
        return new PresignedDownload(assetId, $"/api/assets/{assetId}/content?{ExpiresParameter}={exp}&{SignatureParameter}={sig}", expiresAt.UtcDateTime);
    }

    /// <summary>Whole seconds, so the expiry in the URL and the one reported are the same instant.</summary>
    private DateTimeOffset ExpiresAt(int? expiresIn)
    {
        var seconds = expiresIn ?? Options.DefaultExpirySeconds;
        if (seconds < 1 || seconds > Options.MaxExpirySeconds)
            throw ValidationFailedException.For("expiresIn", $"expiresIn must be between 1 and {Options.MaxExpirySeconds} seconds.");
        return DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds() + seconds);
    }

    private static ForbiddenException Tampered() => new("The signature of this URL does not match; it was altered or is not ours.", "presign_invalid");
    private static GoneException Expired() => new("presign_expired", "This presigned URL has expired.");
    private static GoneException Used() => new("presign_grant_used", "This upload grant has already been used.");
}
