using Catalyst.Data.Assets;
using Catalyst.Data.Audit;
using Catalyst.Data.Common;
using Catalyst.Data.Projects;
using Catalyst.Data.Storage;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Marketplace;

/// <summary>A project as the marketplace shows it: the listing, its package and what the caller may do.</summary>
public sealed record MarketplaceListing(Project Project, MarketplacePackage? Package, ViewerState Viewer);

/// <summary>Publishing (owner or admin) and browsing (anyone) of marketplace projects.</summary>
public sealed class MarketplaceCatalog(CatalystDbContext db, ContentStore content, AuditLog audit, TimeProvider time)
{
    /// <summary>
    /// Lists the project with a price, currency, category and optionally a package taken from one of
    /// the owner's assets. Publishing an already published project updates its listing and keeps
    /// its publishedAt; the package stays unless another asset is named.
    /// </summary>
    public async Task<Project> PublishAsync(Actor actor, Guid projectId, long? expectedVersion, PublishInput input, CancellationToken ct)
    {
        var listing = MarketplaceRules.ValidatePublish(input);
        var project = await LoadForWriteAsync(actor, projectId, expectedVersion, ct);
        if (project.Status == ProjectStatus.Archived)
            throw new ConflictException("project_archived", "An archived project cannot be published; restore it first.");

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (listing.PackageAssetId is { } assetId)
        {
            var asset = await db.Assets.AsNoTracking().FirstOrDefaultAsync(a => a.Id == assetId && a.OwnerId == project.OwnerId, ct)
                ?? throw ValidationFailedException.For("packageAssetId", "No asset of the project's owner has this id.");
            await SetPackageAsync(project.Id, asset, ct);
        }
        if (!project.IsPublished)
            project.PublishedAt = Clock.UtcNow(time);
        project.IsPublished = true;
        project.Price = listing.Price;
        project.Currency = listing.Currency;
        project.Category = listing.Category;
        await MarketplaceSearchTerms.ReplaceAsync(db, project, ct);
        if (actor.IsAdmin)
            audit.Record(actor, "marketplace.publish", nameof(Project), project.Id, new { listing.Price, listing.Currency, listing.Category, listing.PackageAssetId });
        await SaveAsync(project, ct);
        await tx.CommitAsync(ct);
        return project;
    }

    /// <summary>Hides the project from browse and revokes its outstanding download tokens; purchases, reviews, downloads and the package stay.</summary>
    public async Task<Project> UnpublishAsync(Actor actor, Guid projectId, long? expectedVersion, CancellationToken ct)
    {
        var project = await LoadForWriteAsync(actor, projectId, expectedVersion, ct);
        if (!project.IsPublished)
            return project;
        project.IsPublished = false;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await MarketplaceSearchTerms.ReplaceAsync(db, project, ct);
        // Links handed out while it was listed stop working (410 token_revoked); buyers, the owner
        // and admins may ask for new ones.
        await DownloadService.RevokeAsync(db, project.Id, purchaserId: null, Clock.UtcNow(time), ct);
        if (actor.IsAdmin)
            audit.Record(actor, "marketplace.unpublish", nameof(Project), project.Id);
        await SaveAsync(project, ct);
        await tx.CommitAsync(ct);
        return project;
    }

    public async Task<Page<Project>> BrowseAsync(MarketplaceQuery query, PageRequest page, CancellationToken ct)
    {
        var projects = BrowseQuery(db, query);
        var total = await projects.CountAsync(ct);
        var items = total == 0 ? [] : await projects.Skip(page.Skip).Take(page.PageSize).ToListAsync(ct);
        return new Page<Project>(items, page.Page, page.PageSize, total);
    }

    /// <summary>
    /// The browse query, ordered. Every filter and sort is answered from an index of
    /// <see cref="ProjectMarketplaceConfiguration"/> or the term index; the plans are checked by a test.
    /// </summary>
    public static IQueryable<Project> BrowseQuery(CatalystDbContext db, MarketplaceQuery query)
    {
        var terms = MarketplaceSearchTerms.QueryTerms(query.Text);
        var published = true;
        var projects = terms.Count == 0
            // A parameter, not the constant: EF Core turns "IsPublished == true" into a bare column
            // test, which SQLite cannot match to the (IsPublished, ...) browse indexes.
            ? db.Projects.AsNoTracking().Where(p => p.IsPublished == published)
            // With words the term index must drive (only the matching projects are then read and
            // sorted). The bare column test is deliberate here: without statistics SQLite guesses
            // that "IsPublished = ?" selects ten rows and would walk a whole sort index instead.
            : db.Projects.AsNoTracking().Where(p => p.IsPublished);
        if (query.Category is { } category)
            projects = projects.Where(p => p.Category == category);
        if (query.MinPrice is { } min)
            projects = projects.Where(p => p.Price >= min);
        if (query.MaxPrice is { } max)
            projects = projects.Where(p => p.Price <= max);
        foreach (var term in terms)
            projects = projects.Where(p => db.Set<MarketplaceSearchTerm>().Where(t => t.Term == term).Select(t => t.ProjectId).Contains(p.Id));
        return query.Sort switch
        {
            MarketplaceSort.Rating => projects.OrderByDescending(p => p.RatingAverage).ThenByDescending(p => p.RatingCount).ThenByDescending(p => p.Id),
            MarketplaceSort.Downloads => projects.OrderByDescending(p => p.DownloadCount).ThenByDescending(p => p.Id),
            MarketplaceSort.Price => projects.OrderBy(p => p.Price).ThenBy(p => p.Id),
            _ => projects.OrderByDescending(p => p.PublishedAt).ThenByDescending(p => p.Id),
        };
    }

    /// <summary>A listing for <paramref name="actor"/> (null: anonymous), with what they may do.</summary>
    public async Task<MarketplaceListing> GetAsync(Actor? actor, Guid projectId, CancellationToken ct)
    {
        var project = await MarketplaceAccess.VisibleProjectAsync(db, actor, projectId, ct);
        var package = await db.Set<MarketplacePackage>().AsNoTracking().FirstOrDefaultAsync(p => p.ProjectId == projectId, ct);
        return new MarketplaceListing(project, package, await MarketplaceAccess.ViewerAsync(db, actor, project, ct));
    }

    /// <summary>The project (owner or admin) with its package, for the publish form.</summary>
    public async Task<(Project Project, MarketplacePackage? Package, IReadOnlyList<Asset> Assets)> GetForPublishingAsync(Actor actor, Guid projectId, CancellationToken ct)
    {
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct);
        if (project is null || !actor.CanAccess(project.OwnerId))
            throw new NotFoundException("Project");
        var package = await db.Set<MarketplacePackage>().AsNoTracking().FirstOrDefaultAsync(p => p.ProjectId == projectId, ct);
        // The owner's assets, the project's own first, newest first: the candidates for a package.
        var assets = await db.Assets.AsNoTracking().Where(a => a.OwnerId == project.OwnerId)
            .OrderByDescending(a => a.ProjectId == projectId).ThenByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id)
            .Take(200).ToListAsync(ct);
        return (project, package, assets);
    }

    private async Task SetPackageAsync(Guid projectId, Asset asset, CancellationToken ct)
    {
        var package = await db.Set<MarketplacePackage>().FirstOrDefaultAsync(p => p.ProjectId == projectId, ct);
        // The package is a snapshot of an asset the seller holds (and is charged for) when publishing: not charged again.
        if (package is null)
        {
            package = new MarketplacePackage { ProjectId = projectId, FileName = asset.FileName, MediaType = asset.MediaType, Sha256 = asset.Sha256 };
            db.Set<MarketplacePackage>().Add(package);
            await content.AddReferenceAsync(asset.Sha256, MarketplacePackages.BlobOwnerType, projectId.ToString(), null, ct);
        }
        else if (package.Sha256 != asset.Sha256)
        {
            await content.RemoveReferencesAsync(MarketplacePackages.BlobOwnerType, projectId.ToString(), ct);
            // The old reference row must be gone before the new one (unique per owner) is inserted.
            await db.SaveChangesAsync(ct);
            await content.AddReferenceAsync(asset.Sha256, MarketplacePackages.BlobOwnerType, projectId.ToString(), null, ct);
        }
        package.AssetId = asset.Id;
        package.FileName = asset.FileName;
        package.MediaType = asset.MediaType;
        package.Length = asset.Length;
        package.Sha256 = asset.Sha256;
    }

    private async Task<Project> LoadForWriteAsync(Actor actor, Guid id, long? expectedVersion, CancellationToken ct)
    {
        var project = await db.Projects.FirstOrDefaultAsync(p => p.Id == id, ct);
        if (project is null || !actor.CanAccess(project.OwnerId))
            throw new NotFoundException("Project");
        if (expectedVersion is { } expected && project.Version != expected)
            throw new VersionConflictException(project.Version);
        return project;
    }

    private async Task SaveAsync(Project project, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            var current = await db.Projects.AsNoTracking().Where(p => p.Id == project.Id).Select(p => (long?)p.Version).FirstOrDefaultAsync(ct);
            throw current is null ? new NotFoundException("Project") : new VersionConflictException(current.Value);
        }
    }
}

/// <summary>The package's hold on its blob, and its release when the project goes.</summary>
public static class MarketplacePackages
{
    /// <summary>The blob reference owner type of a package; the owner id is the project id.</summary>
    public const string BlobOwnerType = "marketplace-package";

    /// <summary>Drops the package's blob reference in the caller's unit of work (the row itself cascades with the project).</summary>
    public static Task ReleaseAsync(CatalystDbContext db, Guid projectId, CancellationToken ct) =>
        ContentStore.RemoveReferencesAsync(db, db.Time, BlobOwnerType, projectId.ToString(), ct);
}
