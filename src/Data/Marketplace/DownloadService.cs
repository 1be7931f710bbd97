using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Catalyst.Data.Common;
using Catalyst.Data.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Marketplace;

public sealed record IssuedDownloadToken(string Token, DateTime ExpiresAt);

/// <summary>What a request asks of a token; the edge tells them apart from the method and the Range header.</summary>
public enum DownloadAttempt
{
    /// <summary>A GET that is not a resume: the token's one download (a first GET may carry any range).</summary>
    Download,
    /// <summary>A GET for one byte range that does not start at the first byte: continues the token's download.</summary>
    Resume,
    /// <summary>A HEAD: describes the package of an unused token, never spends it.</summary>
    Probe,
}

/// <summary>
/// A redeemed token: the package to stream and its Last-Modified (the moment of the download, kept
/// by its resumes). <paramref name="Resumed"/>: a resume of the token's download, not logged again.
/// </summary>
public sealed record RedeemedDownload(MarketplacePackage Package, Stream Content, DateTime At, bool Resumed = false);

/// <summary>
/// Single-use download tokens (SPEC §13, §16). A token is the Data Protection envelope (authenticated
/// encryption with the key ring every Portal shares) of its id, user, project and expiry, in
/// base64url: a tampered or foreign token fails to open (404) and an expired one is refused (410)
/// before the database is asked. The database keeps only the token's SHA-256. Redemption claims
/// the row with one conditional UPDATE (used_at still null, not expired), so of any number of
/// concurrent redemptions exactly one succeeds and the rest answer 410; the claim, the download log
/// row and the downloadCount increment commit together.
/// <para>
/// One token is one download, which may arrive in several ranged requests: after the claim, and
/// only within the token's lifetime, a GET for a single range that starts after the first byte is
/// a resume of that download (a client continues after the bytes it already has) and is served
/// without being logged or counted again, as long as the package is still the one downloaded. A GET
/// without a range, with a range from the first byte, or with several ranges after the claim is a
/// second download: 410 <c>token_used</c>. The lifetime (10 minutes by default) bounds what a holder
/// of a used token can still fetch. HEAD never claims a token and describes only an unused one.
/// </para>
/// <para>
/// A refund (the buyer's tokens issued under that purchase) and an unpublish (every token of the
/// project) revoke outstanding tokens by bringing their stored expiry forward to the moment of
/// revocation; the expiry sealed in the token stays, which tells a revoked token (410
/// <c>token_revoked</c>) from a spent or an expired one. A grant that no longer holds when the
/// token is redeemed (a free project now paid) is a revocation as well.
/// </para>
/// </summary>
public sealed class DownloadService(CatalystDbContext db, ContentStore content, IDataProtectionProvider protection, IOptions<MarketplaceOptions> options, TimeProvider time)
{
    private const string Purpose = "Catalyst.Marketplace.DownloadToken.v1";
    private const int PayloadLength = 16 * 3 + 8;
    /// <summary>Longer inputs are not tokens of ours; refused before any decoding.</summary>
    public const int MaxTokenLength = 512;

    private IDataProtector Protector => protection.CreateProtector(Purpose);

    public async Task<IssuedDownloadToken> IssueAsync(Actor actor, Guid projectId, CancellationToken ct)
    {
        var project = await MarketplaceAccess.VisibleProjectAsync(db, actor, projectId, ct);
        var grant = await MarketplaceAccess.DownloadGrantAsync(db, actor, project, ct)
            ?? throw new ForbiddenException(MarketplaceAccess.IsFree(project) ? "This project is not published." : "Buy this project to download it.");
        if (!await db.Set<MarketplacePackage>().AnyAsync(p => p.ProjectId == projectId, ct))
            throw new ConflictException("no_package", "This project has no package to download.");

        var now = Clock.UtcNow(time);
        var expiresAt = now + options.Value.DownloadTokenLifetime;
        var id = Guid.CreateVersion7();
        var token = Protect(id, actor.UserId, projectId, expiresAt);
        db.Set<DownloadToken>().Add(new DownloadToken
        {
            Id = id,
            TokenHash = Hash(token),
            UserId = actor.UserId,
            ProjectId = projectId,
            Grant = grant,
            CreatedAt = now,
            ExpiresAt = expiresAt,
        });
        await db.SaveChangesAsync(ct);
        // Housekeeping: the user's tokens that expired over a day ago are of no use to anyone.
        var stale = now.AddDays(-1);
        await db.Set<DownloadToken>().Where(t => t.UserId == actor.UserId && t.ExpiresAt < stale).ExecuteDeleteAsync(ct);
        return new IssuedDownloadToken(token, expiresAt);
    }

    /// <summary>
    /// Claims the token (or continues its download, or only looks at it) and opens the package.
    /// The caller streams and disposes <see cref="RedeemedDownload.Content"/>.
    /// </summary>
    public async Task<RedeemedDownload> RedeemAsync(string token, DownloadAttempt attempt, CancellationToken ct)
    {
        var payload = Unprotect(token) ?? throw new NotFoundException("Download token");
        var now = Clock.UtcNow(time);
        if (payload.ExpiresAt <= now)
            throw Expired();
        var hash = Hash(token);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var claimed = attempt == DownloadAttempt.Probe ? 0 : await db.Set<DownloadToken>()
            .Where(t => t.TokenHash == hash && t.UsedAt == null && t.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), ct);
        var row = await db.Set<DownloadToken>().AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, ct);
        if (row is null || row.Id != payload.Id || row.UserId != payload.UserId || row.ProjectId != payload.ProjectId)
            throw new NotFoundException("Download token");
        var resumed = false;
        if (claimed == 0)
        {
            if (row.ExpiresAt < payload.ExpiresAt)
                throw Revoked();
            if (row.ExpiresAt <= now)
                throw Expired();
            if (row.UsedAt is not null)
            {
                if (attempt != DownloadAttempt.Resume)
                    throw Used();
                resumed = true;
            }
        }

        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == row.ProjectId, ct) ?? throw new NotFoundException("Project");
        if (!await MarketplaceAccess.GrantStillHoldsAsync(db, row.Grant, row.UserId, project, ct))
            throw Revoked();
        var package = await db.Set<MarketplacePackage>().AsNoTracking().FirstOrDefaultAsync(p => p.ProjectId == row.ProjectId, ct)
            ?? throw new ConflictException("no_package", "This project has no package to download.");
        // A resume continues the bytes already downloaded: not those of a package replaced since.
        if (resumed && !await db.Set<Download>().AnyAsync(d => d.TokenId == row.Id && d.Sha256 == package.Sha256, ct))
            throw Used();
        var stream = await content.OpenReadAsync(package.Sha256, ct)
            ?? throw new InvalidOperationException($"The package blob {package.Sha256} of project {package.ProjectId} is missing.");

        if (claimed == 1)
        {
            db.Set<Download>().Add(new Download { Id = Guid.CreateVersion7(), UserId = row.UserId, ProjectId = row.ProjectId, TokenId = row.Id, At = now, Sha256 = package.Sha256, Length = package.Length });
            await db.SaveChangesAsync(ct);
            await db.Projects.Where(p => p.Id == row.ProjectId).ExecuteUpdateAsync(s => s.SetProperty(p => p.DownloadCount, p => p.DownloadCount + 1), ct);
        }
        await tx.CommitAsync(ct);
        return new RedeemedDownload(package, stream, resumed ? row.UsedAt!.Value : now, resumed);
    }

    /// <summary>
    /// Revokes outstanding tokens of the project (of one user's purchase when <paramref name="purchaserId"/>
    /// is given) by bringing their expiry forward to now. Part of the caller's unit of work.
    /// </summary>
    internal static Task<int> RevokeAsync(CatalystDbContext db, Guid projectId, Guid? purchaserId, DateTime now, CancellationToken ct)
    {
        var tokens = db.Set<DownloadToken>().Where(t => t.ProjectId == projectId && t.ExpiresAt > now);
        if (purchaserId is { } userId)
            tokens = tokens.Where(t => t.UserId == userId && t.Grant == DownloadGrant.Purchase);
        return tokens.ExecuteUpdateAsync(s => s.SetProperty(t => t.ExpiresAt, now), ct);
    }

    /// <summary>The project's download log, newest first: for its owner and admins.</summary>
    public async Task<Page<Download>> ListAsync(Actor actor, Guid projectId, PageRequest page, CancellationToken ct)
    {
        var ownerId = await db.Projects.AsNoTracking().Where(p => p.Id == projectId).Select(p => (Guid?)p.OwnerId).FirstOrDefaultAsync(ct);
        if (ownerId is null || !actor.CanAccess(ownerId.Value))
            throw new NotFoundException("Project");
        var downloads = db.Set<Download>().AsNoTracking().Where(d => d.ProjectId == projectId);
        var total = await downloads.CountAsync(ct);
        var items = await downloads.OrderByDescending(d => d.At).ThenByDescending(d => d.Id).Skip(page.Skip).Take(page.PageSize).ToListAsync(ct);
        return new Page<Download>(items, page.Page, page.PageSize, total);
    }

    /// <summary>SHA-256 (hex) of the token: what the database keeps.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private sealed record Payload(Guid Id, Guid UserId, Guid ProjectId, DateTime ExpiresAt);

    private string Protect(Guid id, Guid userId, Guid projectId, DateTime expiresAt)
    {
        var payload = new byte[PayloadLength];
        id.TryWriteBytes(payload.AsSpan(0, 16));
        userId.TryWriteBytes(payload.AsSpan(16, 16));
        projectId.TryWriteBytes(payload.AsSpan(32, 16));
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(48, 8), expiresAt.Ticks);
        return Base64Url.EncodeToString(Protector.Protect(payload));
    }

    private Payload? Unprotect(string token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength || !Base64Url.IsValid(token))
            return null;
        byte[] payload;
        try
        {
            payload = Protector.Unprotect(Base64Url.DecodeFromChars(token));
        }
        catch (CryptographicException)
        {
            return null; // tampered, truncated, or not ours
        }
        if (payload.Length != PayloadLength)
            return null;
        var ticks = BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(48, 8));
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
            return null;
        return new Payload(new Guid(payload.AsSpan(0, 16)), new Guid(payload.AsSpan(16, 16)), new Guid(payload.AsSpan(32, 16)), new DateTime(ticks, DateTimeKind.Utc));
    }

    private static GoneException Expired() => new("token_expired", "This download token has expired; ask for a new one.");

    private static GoneException Used() => new("token_used", "This download token has already been used; ask for a new one.");

    private static GoneException Revoked() => new("token_revoked", "This download token was revoked (the purchase was refunded or the project unpublished).");
}
