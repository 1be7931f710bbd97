using Catalyst.Data.Common;
using Catalyst.Data.Storage;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Assets;

public sealed record AssetQuery(Guid? WebsiteId = null, Guid? ProjectId = null, string? Sha256 = null, string? Search = null);

/// <summary>Assets, owner-scoped (admins see all). Deleting drops the blob reference; garbage collection frees the bytes.</summary>
public sealed class AssetService(CatalystDbContext db, ContentStore content)
{
    public async Task<Page<Asset>> ListAsync(Actor actor, AssetQuery query, PageRequest page, CancellationToken ct)
    {
        var assets = Visible(actor);
        if (query.WebsiteId is { } websiteId)
            assets = assets.Where(a => a.WebsiteId == websiteId && db.Set<Websites.Website>().Any(w => w.Id == websiteId && w.OwnerId == a.OwnerId));
        if (query.ProjectId is { } projectId)
            assets = assets.Where(a => a.ProjectId == projectId && db.Set<Projects.Project>().Any(p => p.Id == projectId && p.OwnerId == a.OwnerId));
        if (!string.IsNullOrWhiteSpace(query.Sha256))
        {
            var sha = query.Sha256.Trim().ToLowerInvariant();
            assets = assets.Where(a => a.Sha256 == sha);
        }
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var pattern = "%" + Projects.ProjectService.EscapeLike(query.Search.Trim()) + "%";
            assets = assets.Where(a => EF.Functions.Like(a.FileName, pattern, "\\"));
        }
        var total = await assets.CountAsync(ct);
        var items = await assets.OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id)
            .Skip(page.Skip).Take(page.PageSize).ToListAsync(ct);
        return new Page<Asset>(items, page.Page, page.PageSize, total);
    }

    /// <summary>
    /// The assets filed under a website: those its owner holds. Selecting by the website id alone
    /// could reach another user's rows (a reused or guessed id); the owner check rules that out.
    /// </summary>
    public static IQueryable<Asset> OfWebsite(CatalystDbContext db, Guid websiteId) =>
        db.Set<Asset>().AsNoTracking().Where(a => a.WebsiteId == websiteId && db.Set<Websites.Website>().Any(w => w.Id == websiteId && w.OwnerId == a.OwnerId));

    public async Task<Asset> GetAsync(Actor actor, Guid id, CancellationToken ct) =>
        await Visible(actor).FirstOrDefaultAsync(a => a.Id == id, ct) ?? throw new NotFoundException("Asset");

    /// <summary>
    /// Creates an asset over a stored blob, in the caller's transaction, charging its length to the
    /// owner's quota; a <see cref="QuotaExceededException"/> leaves the caller's unit of work as it was.
    /// </summary>
    public async Task<Asset> AddAsync(Guid id, Guid ownerId, string? fileName, string? mediaType, BlobInfo blob, Guid? websiteId, Guid? projectId, CancellationToken ct)
    {
        await content.AddReferenceAsync(blob.Sha256, BlobOwnerTypes.Asset, id.ToString(), ownerId, ct);
        var asset = new Asset
        {
            Id = id,
            OwnerId = ownerId,
            FileName = FileRules.CleanFileName(fileName),
            MediaType = FileRules.CleanMediaType(mediaType),
            Length = blob.Length,
            Sha256 = blob.Sha256,
            WebsiteId = websiteId,
            ProjectId = projectId,
        };
        db.Set<Asset>().Add(asset);
        return asset;
    }

    public async Task DeleteAsync(Actor actor, Guid id, CancellationToken ct)
    {
        var asset = await db.Set<Asset>().FirstOrDefaultAsync(a => a.Id == id, ct);
        if (asset is null || !actor.CanAccess(asset.OwnerId))
            throw new NotFoundException("Asset");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await content.RemoveReferencesAsync(BlobOwnerTypes.Asset, id.ToString(), ct);
        db.Set<Asset>().Remove(asset);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// For the deletion of a website, in the caller's transaction: its owner's assets go (their blob
    /// references and quota charges with them), and any other user's asset that still names it is
    /// detached, so nothing is left pointing at a website that no longer exists. Unused upload grants
    /// into it go too.
    /// </summary>
    public async Task RemoveForWebsiteAsync(Guid websiteId, Guid ownerId, CancellationToken ct)
    {
        var owned = db.Set<Asset>().Where(a => a.WebsiteId == websiteId && a.OwnerId == ownerId);
        foreach (var id in await owned.Select(a => a.Id).ToListAsync(ct))
            await content.RemoveReferencesAsync(BlobOwnerTypes.Asset, id.ToString(), ct);
        await db.SaveChangesAsync(ct); // the reference rows go before the assets they describe
        await owned.ExecuteDeleteAsync(ct);
        await db.Set<Asset>().Where(a => a.WebsiteId == websiteId).ExecuteUpdateAsync(s => s.SetProperty(a => a.WebsiteId, (Guid?)null), ct);
        await db.Set<UploadGrant>().Where(g => g.WebsiteId == websiteId && g.UsedAt == null).ExecuteDeleteAsync(ct);
    }

    /// <summary>For the deletion of a project, in the caller's transaction: its assets stay their owners' files, detached from it.</summary>
    public static async Task DetachFromProjectAsync(CatalystDbContext db, Guid projectId, CancellationToken ct)
    {
        await db.Set<Asset>().Where(a => a.ProjectId == projectId).ExecuteUpdateAsync(s => s.SetProperty(a => a.ProjectId, (Guid?)null), ct);
        await db.Set<UploadGrant>().Where(g => g.ProjectId == projectId && g.UsedAt == null).ExecuteDeleteAsync(ct);
    }

    private IQueryable<Asset> Visible(Actor actor) =>
        actor.IsAdmin ? db.Set<Asset>().AsNoTracking() : db.Set<Asset>().AsNoTracking().Where(a => a.OwnerId == actor.UserId);
}
