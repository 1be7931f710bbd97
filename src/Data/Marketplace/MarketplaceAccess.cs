using Catalyst.Data.Common;
using Catalyst.Data.Projects;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Marketplace;

/// <summary>What the current caller may do with a listed project, for the API and the pages.</summary>
/// <param name="PurchaseId">The caller's completed purchase, when there is one.</param>
/// <param name="ReviewId">The caller's review, when there is one (they may edit it).</param>
public sealed record ViewerState(bool SignedIn, bool IsOwner, Guid? PurchaseId, bool CanPurchase, bool CanDownload, bool CanReview, Guid? ReviewId)
{
    public static readonly ViewerState Anonymous = new(false, false, null, false, false, false, null);
}

/// <summary>
/// The marketplace's one authorization rule (SPEC §3 and §13), used by every marketplace service:
/// a published project is visible to everyone; an unpublished one only to its owner, admins and
/// those who bought it (they keep their purchase, reviews and downloads). Anything else is 404.
/// Downloads: the owner, admins, completed purchasers, and anyone signed in for a free published project.
/// </summary>
internal static class MarketplaceAccess
{
    public static async Task<Project> VisibleProjectAsync(CatalystDbContext db, Actor? actor, Guid projectId, CancellationToken ct)
    {
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct);
        if (project is null)
            throw new NotFoundException("Project");
        if (project.IsPublished || actor is not null && (actor.CanAccess(project.OwnerId) || await HasCompletedPurchaseAsync(db, actor.UserId, projectId, ct)))
            return project;
        throw new NotFoundException("Project");
    }

    public static Task<bool> HasCompletedPurchaseAsync(CatalystDbContext db, Guid userId, Guid projectId, CancellationToken ct) =>
        db.Set<Purchase>().AnyAsync(p => p.UserId == userId && p.ProjectId == projectId && p.Status == PurchaseStatus.Completed, ct);

    public static bool IsFree(Project project) => project.Price is 0;

    /// <summary>The grant under which <paramref name="actor"/> may download, or null.</summary>
    public static async Task<DownloadGrant?> DownloadGrantAsync(CatalystDbContext db, Actor actor, Project project, CancellationToken ct)
    {
        if (project.OwnerId == actor.UserId)
            return DownloadGrant.Owner;
        if (actor.IsAdmin)
            return DownloadGrant.Admin;
        if (await HasCompletedPurchaseAsync(db, actor.UserId, project.Id, ct))
            return DownloadGrant.Purchase;
        if (project.IsPublished && IsFree(project))
            return DownloadGrant.Free;
        return null;
    }

    /// <summary>Whether a grant recorded on a token still holds when the token is redeemed (a refund revokes a purchase's).</summary>
    public static async Task<bool> GrantStillHoldsAsync(CatalystDbContext db, DownloadGrant grant, Guid userId, Project project, CancellationToken ct) => grant switch
    {
        DownloadGrant.Owner => project.OwnerId == userId,
        DownloadGrant.Admin => true,
        DownloadGrant.Purchase => await HasCompletedPurchaseAsync(db, userId, project.Id, ct),
        DownloadGrant.Free => project.IsPublished && IsFree(project),
        _ => false,
    };

    public static async Task<ViewerState> ViewerAsync(CatalystDbContext db, Actor? actor, Project project, CancellationToken ct)
    {
        if (actor is null)
            return ViewerState.Anonymous;
        var isOwner = project.OwnerId == actor.UserId;
        var purchaseId = await db.Set<Purchase>().AsNoTracking()
            .Where(p => p.UserId == actor.UserId && p.ProjectId == project.Id && p.Status == PurchaseStatus.Completed)
            .Select(p => (Guid?)p.Id).FirstOrDefaultAsync(ct);
        var reviewId = await db.Set<Review>().AsNoTracking()
            .Where(r => r.UserId == actor.UserId && r.ProjectId == project.Id).Select(r => (Guid?)r.Id).FirstOrDefaultAsync(ct);
        var hasPackage = await db.Set<MarketplacePackage>().AnyAsync(p => p.ProjectId == project.Id, ct);
        var grant = await DownloadGrantAsync(db, actor, project, ct);
        return new ViewerState(
            SignedIn: true,
            IsOwner: isOwner,
            PurchaseId: purchaseId,
            CanPurchase: project.IsPublished && !isOwner && purchaseId is null,
            CanDownload: hasPackage && grant is not null,
            CanReview: !isOwner && reviewId is null && (purchaseId is not null || project.IsPublished && IsFree(project)),
            ReviewId: reviewId);
    }
}
