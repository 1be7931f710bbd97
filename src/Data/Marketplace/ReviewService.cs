using Catalyst.Data.Audit;
using Catalyst.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Marketplace;

/// <summary>
/// Reviews: one per user and project (a unique index, so a race ends in 409 too), by purchasers
/// only unless the project is free, never by the seller. Every write recomputes the project's
/// ratingCount and ratingAverage from the reviews themselves inside the write's transaction, after
/// taking the project row's lock, so concurrent reviewers serialize per project and the aggregate
/// is always exactly what the rows say.
/// </summary>
public sealed class ReviewService(CatalystDbContext db, AuditLog audit)
{
    public async Task<Page<Review>> ListAsync(Actor? actor, Guid projectId, PageRequest page, CancellationToken ct)
    {
        await MarketplaceAccess.VisibleProjectAsync(db, actor, projectId, ct);
        var reviews = db.Set<Review>().AsNoTracking().Where(r => r.ProjectId == projectId);
        var total = await reviews.CountAsync(ct);
        var items = await reviews.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id)
            .Skip(page.Skip).Take(page.PageSize).ToListAsync(ct);
        return new Page<Review>(items, page.Page, page.PageSize, total);
    }

    public async Task<Review> GetAsync(Actor? actor, Guid reviewId, CancellationToken ct)
    {
        var review = await db.Set<Review>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == reviewId, ct) ?? throw new NotFoundException("Review");
        await MarketplaceAccess.VisibleProjectAsync(db, actor, review.ProjectId, ct);
        return review;
    }

    public async Task<Review> CreateAsync(Actor actor, Guid projectId, ReviewInput input, CancellationToken ct)
    {
        var project = await MarketplaceAccess.VisibleProjectAsync(db, actor, projectId, ct);
        var (rating, title, body) = MarketplaceRules.ValidateReview(input);
        if (project.OwnerId == actor.UserId)
            throw new ForbiddenException("You cannot review your own project.");
        var purchased = await MarketplaceAccess.HasCompletedPurchaseAsync(db, actor.UserId, projectId, ct);
        if (!purchased && !(project.IsPublished && MarketplaceAccess.IsFree(project)))
            throw new ForbiddenException("Only buyers of this project can review it.");
        if (await db.Set<Review>().AnyAsync(r => r.ProjectId == projectId && r.UserId == actor.UserId, ct))
            throw ReviewExists();

        var review = new Review { Id = Guid.CreateVersion7(), ProjectId = projectId, UserId = actor.UserId, Rating = rating, Title = title, Body = body };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await LockProjectAsync(projectId, ct);
        db.Set<Review>().Add(review);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another request by the same user won the unique index meanwhile.
            await tx.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            if (await db.Set<Review>().AnyAsync(r => r.ProjectId == projectId && r.UserId == actor.UserId, ct))
                throw ReviewExists();
            throw;
        }
        await RefreshRatingAsync(projectId, ct);
        await tx.CommitAsync(ct);
        return review;
    }

    /// <summary>The author edits their review. <paramref name="expectedVersion"/> is the client's If-Match.</summary>
    public async Task<Review> UpdateAsync(Actor actor, Guid reviewId, long expectedVersion, ReviewInput input, CancellationToken ct)
    {
        var review = await db.Set<Review>().FirstOrDefaultAsync(r => r.Id == reviewId, ct);
        // Only the author edits a review's words; it is 404 for everyone else (admins may delete it).
        if (review is null || review.UserId != actor.UserId)
            throw new NotFoundException("Review");
        var (rating, title, body) = MarketplaceRules.ValidateReview(input);
        if (review.Version != expectedVersion)
            throw new VersionConflictException(review.Version);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await LockProjectAsync(review.ProjectId, ct);
        review.Rating = rating;
        review.Title = title;
        review.Body = body;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            var current = await db.Set<Review>().AsNoTracking().Where(r => r.Id == reviewId).Select(r => (long?)r.Version).FirstOrDefaultAsync(ct);
            throw current is null ? new NotFoundException("Review") : new VersionConflictException(current.Value);
        }
        await RefreshRatingAsync(review.ProjectId, ct);
        await tx.CommitAsync(ct);
        return review;
    }

    /// <summary>The author, or an admin (moderation, audited), removes a review.</summary>
    public async Task DeleteAsync(Actor actor, Guid reviewId, CancellationToken ct)
    {
        var review = await db.Set<Review>().FirstOrDefaultAsync(r => r.Id == reviewId, ct);
        if (review is null || !actor.CanAccess(review.UserId))
            throw new NotFoundException("Review");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await LockProjectAsync(review.ProjectId, ct);
        db.Set<Review>().Remove(review);
        if (actor.IsAdmin && review.UserId != actor.UserId)
            audit.Record(actor, "marketplace.review.delete", nameof(Review), review.Id, new { review.ProjectId, review.UserId, review.Rating });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new NotFoundException("Review");
        }
        await RefreshRatingAsync(review.ProjectId, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Takes the project row's write lock for the rest of the transaction (a no-op update), so review
    /// writes of one project run one after the other. SQLite's write transactions are serial anyway.
    /// </summary>
    private Task LockProjectAsync(Guid projectId, CancellationToken ct) =>
        db.Projects.Where(p => p.Id == projectId).ExecuteUpdateAsync(s => s.SetProperty(p => p.RatingCount, p => p.RatingCount), ct);

    /// <summary>Recomputes the aggregates from the rows (no read-modify-write of the old values).</summary>
    private Task RefreshRatingAsync(Guid projectId, CancellationToken ct) =>
        db.Projects.Where(p => p.Id == projectId).ExecuteUpdateAsync(s => s
            .SetProperty(p => p.RatingCount, p => db.Set<Review>().Count(r => r.ProjectId == projectId))
            .SetProperty(p => p.RatingAverage, p => db.Set<Review>().Where(r => r.ProjectId == projectId).Average(r => (double?)r.Rating) ?? 0.0), ct);

    private static ConflictException ReviewExists() =>
        new("review_exists", "You have already reviewed this project; edit your review instead.");
}
