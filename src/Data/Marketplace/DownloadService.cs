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

/// <summary>A redeemed token: the package to stream and when it was logged.</summary>
public sealed record RedeemedDownload(MarketplacePackage Package, Stream Content, DateTime At);

/// <summary>
/// Single-use download tokens (SPEC §13). A token is the Data Protection envelope (authenticated
/// encryption with the key ring every Portal shares) of its id, user, project and expiry, in
/// base64url: a tampered or foreign token fails to open (404) and an expired one is refused (410)
/// before the database is asked. The database keeps only the token's SHA-256. Redemption claims
/// the row with one conditional UPDATE (used_at still null, not expired), so of any number of
/// concurrent redemptions exactly one succeeds and the rest answer 410; the claim, the download log
/// row and the downloadCount increment commit together.
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

    /// <summary>Claims the token and opens the package. The caller streams and disposes <see cref="RedeemedDownload.Content"/>.</summary>
    public async Task<RedeemedDownload> RedeemAsync(string token, CancellationToken ct)
    {
        var payload = Unprotect(token) ?? throw new NotFoundException("Download token");
        var now = Clock.UtcNow(time);
        if (payload.ExpiresAt <= now)
            throw Expired();
        var hash = Hash(token);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var claimed = await db.Set<DownloadToken>()
            .Where(t => t.TokenHash == hash && t.UsedAt == null && t.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), ct);
        var row = await db.Set<DownloadToken>().AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, ct);
        if (row is null || row.Id != payload.Id || row.UserId != payload.UserId || row.ProjectId != payload.ProjectId)
            throw new NotFoundException("Download token");
        if (claimed == 0)
            throw row.UsedAt is not null ? new StatusDomainException(410, "token_used", "This download token has already been used; ask for a new one.") : Expired();

        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == row.ProjectId, ct) ?? throw new NotFoundException("Project");
        if (!await MarketplaceAccess.GrantStillHoldsAsync(db, row.Grant, row.UserId, project, ct))
            throw new ForbiddenException(row.Grant == DownloadGrant.Purchase
                ? "The purchase behind this token was refunded; its download right is revoked."
                : "This download is no longer available.");
        var package = await db.Set<MarketplacePackage>().AsNoTracking().FirstOrDefaultAsync(p => p.ProjectId == row.ProjectId, ct)
            ?? throw new ConflictException("no_package", "This project has no package to download.");
        var stream = await content.OpenReadAsync(package.Sha256, ct)
            ?? throw new InvalidOperationException($"The package blob {package.Sha256} of project {package.ProjectId} is missing.");

        db.Set<Download>().Add(new Download { Id = Guid.CreateVersion7(), UserId = row.UserId, ProjectId = row.ProjectId, TokenId = row.Id, At = now, Sha256 = package.Sha256, Length = package.Length });
        await db.SaveChangesAsync(ct);
        await db.Projects.Where(p => p.Id == row.ProjectId).ExecuteUpdateAsync(s => s.SetProperty(p => p.DownloadCount, p => p.DownloadCount + 1), ct);
        await tx.CommitAsync(ct);
        return new RedeemedDownload(package, stream, now);
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

    private static StatusDomainException Expired() => new(410, "token_expired", "This download token has expired; ask for a new one.");
}
