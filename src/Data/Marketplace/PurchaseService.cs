using System.Text.Json;
using Catalyst.Data.Audit;
using Catalyst.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Marketplace;

public sealed record PurchaseQuery(Guid? ProjectId = null, PurchaseStatus? Status = null, bool All = false);

/// <summary>The price a buyer saw and confirmed; a purchase with a quote is refused when the listing's price is no longer that.</summary>
public sealed record QuotedPrice(long Amount, string Currency);

/// <summary>A purchase and whether it is the replay of an earlier request with the same Idempotency-Key.</summary>
public sealed record PurchaseOutcome(Purchase Purchase, bool Replayed);

/// <summary>
/// Purchases and refunds. The payment provider is asked first; the purchase (or refund) and its
/// RevenueEvent are then written in one transaction. Two unique indexes settle races: one
/// completed purchase per user and project, one purchase per user and Idempotency-Key.
/// </summary>
public sealed class PurchaseService(CatalystDbContext db, IPaymentProvider payments, AuditLog audit, TimeProvider time)
{
    public Task<PurchaseOutcome> PurchaseAsync(Actor actor, Guid projectId, string? idempotencyKey, CancellationToken ct) =>
        PurchaseAsync(actor, projectId, idempotencyKey, null, ct);

    /// <param name="quoted">What the buyer confirmed (the portal's confirmation step); null when the caller took the current price.</param>
    public async Task<PurchaseOutcome> PurchaseAsync(Actor actor, Guid projectId, string? idempotencyKey, QuotedPrice? quoted, CancellationToken ct)
    {
        var key = MarketplaceRules.ValidateIdempotencyKey(idempotencyKey);
        if (key is not null && await FindByKeyAsync(actor.UserId, key, projectId, ct) is { } earlier)
            return new PurchaseOutcome(earlier, Replayed: true);

        var project = await MarketplaceAccess.VisibleProjectAsync(db, actor, projectId, ct);
        if (project.OwnerId == actor.UserId)
            throw new ConflictException("own_project", "You cannot buy your own project.");
        if (!project.IsPublished)
            throw new NotFoundException("Project");
        if (await MarketplaceAccess.HasCompletedPurchaseAsync(db, actor.UserId, projectId, ct))
        {
            // It may be this very key's purchase, committed by a concurrent request since we looked.
            if (key is not null && await FindByKeyAsync(actor.UserId, key, projectId, ct) is { } concurrent)
                return new PurchaseOutcome(concurrent, Replayed: true);
            throw AlreadyPurchased();
        }

        var purchaseId = Guid.CreateVersion7();
        var amount = project.Price ?? 0;
        var currency = project.Currency ?? throw new InvalidOperationException($"Published project {project.Id} has no currency.");
        if (quoted is not null && (quoted.Amount != amount || !string.Equals(quoted.Currency, currency, StringComparison.Ordinal)))
            throw new ConflictException("price_changed",
                $"The price is now {Currencies.Format(amount, currency)}, not the price you confirmed; nothing was charged.");
        var charge = await payments.ChargeAsync(new PaymentRequest(purchaseId, actor.UserId, projectId, amount, currency, key), ct);
        if (!charge.Completed)
            throw new PaymentDeclinedException("payment_declined", charge.DeclineReason ?? "The payment was declined.");

        var now = Clock.UtcNow(time);
        var purchase = new Purchase
        {
            Id = purchaseId,
            UserId = actor.UserId,
            ProjectId = projectId,
            SellerId = project.OwnerId,
            ProjectName = project.Name,
            Amount = amount,
            Currency = currency,
            Status = PurchaseStatus.Completed,
            IdempotencyKey = key,
            PaymentProvider = payments.Name,
            PaymentReference = charge.Reference,
            CreatedAt = now,
        };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Set<Purchase>().Add(purchase);
        db.Set<RevenueEvent>().Add(Ledger(RevenueEventType.Purchase, purchase, now, new { provider = payments.Name, reference = charge.Reference, project = project.Name }));
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return new PurchaseOutcome(purchase, Replayed: false);
        }
        catch (DbUpdateException)
        {
            // A concurrent request won one of the unique indexes; find out which.
            await tx.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            if (key is not null && await FindByKeyAsync(actor.UserId, key, projectId, ct) is { } winner)
                return new PurchaseOutcome(winner, Replayed: true);
            if (!await MarketplaceAccess.HasCompletedPurchaseAsync(db, actor.UserId, projectId, ct))
                throw;
            // Our charge has no purchase to belong to: give it back (the other request's charge stands).
            await payments.RefundAsync(new RefundRequest(purchaseId, charge.Reference, amount, currency), ct);
            throw AlreadyPurchased();
        }
    }

    public async Task<Page<Purchase>> ListAsync(Actor actor, PurchaseQuery query, PageRequest page, CancellationToken ct)
    {
        if (query.All && !actor.IsAdmin)
            throw new ForbiddenException("Only admins can list every purchase.");
        var purchases = db.Set<Purchase>().AsNoTracking();
        if (!query.All)
            purchases = purchases.Where(p => p.UserId == actor.UserId);
        if (query.ProjectId is { } projectId)
            purchases = purchases.Where(p => p.ProjectId == projectId);
        if (query.Status is { } status)
            purchases = purchases.Where(p => p.Status == status);
        var total = await purchases.CountAsync(ct);
        var items = await purchases.OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id)
            .Skip(page.Skip).Take(page.PageSize).ToListAsync(ct);
        return new Page<Purchase>(items, page.Page, page.PageSize, total);
    }

    /// <summary>The buyer's own purchase, or any for an admin.</summary>
    public async Task<Purchase> GetAsync(Actor actor, Guid id, CancellationToken ct)
    {
        var purchase = await db.Set<Purchase>().AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (purchase is null || !actor.CanAccess(purchase.UserId))
            throw new NotFoundException("Purchase");
        return purchase;
    }

    /// <summary>
    /// Admin only. Gives the money back through the provider, marks the purchase refunded (which
    /// revokes its download right, including tokens already issued) and records the refund.
    /// </summary>
    public async Task<Purchase> RefundAsync(Actor actor, Guid id, string? reason, CancellationToken ct)
    {
        if (!actor.IsAdmin)
            throw new ForbiddenException("Only admins can refund purchases.");
        reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        if (reason is { Length: > 500 })
            throw ValidationFailedException.For("reason", "The reason must be at most 500 characters.");
        var purchase = await db.Set<Purchase>().FirstOrDefaultAsync(p => p.Id == id, ct) ?? throw new NotFoundException("Purchase");
        if (purchase.Status == PurchaseStatus.Refunded)
            throw AlreadyRefunded();

        var refund = await payments.RefundAsync(new RefundRequest(purchase.Id, purchase.PaymentReference, purchase.Amount, purchase.Currency), ct);
        if (!refund.Completed)
            throw new PaymentDeclinedException("refund_declined", refund.DeclineReason ?? "The payment provider declined the refund.");

        var now = Clock.UtcNow(time);
        purchase.Status = PurchaseStatus.Refunded;
        purchase.RefundedAt = now;
        purchase.RefundedBy = actor.UserId;
        db.Set<RevenueEvent>().Add(Ledger(RevenueEventType.Refund, purchase, now, new { provider = payments.Name, reference = refund.Reference, project = purchase.ProjectName, reason }));
        audit.Record(actor, "marketplace.refund", nameof(Purchase), purchase.Id, new { purchase.Amount, purchase.Currency, purchase.UserId, purchase.ProjectId, reason });
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Tokens already issued under this purchase stop working with it (410 token_revoked).
        await DownloadService.RevokeAsync(db, purchase.ProjectId, purchase.UserId, now, ct);
        try
        {
            // The purchase's version is its concurrency token: of two refunds at once, one saves.
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw AlreadyRefunded();
        }
        await tx.CommitAsync(ct);
        return purchase;
    }

    private async Task<Purchase?> FindByKeyAsync(Guid userId, string key, Guid projectId, CancellationToken ct)
    {
        var earlier = await db.Set<Purchase>().AsNoTracking().FirstOrDefaultAsync(p => p.UserId == userId && p.IdempotencyKey == key, ct);
        if (earlier is not null && earlier.ProjectId != projectId)
            throw new ConflictException("idempotency_key_reused", "This Idempotency-Key was already used for a purchase of another project.");
        return earlier;
    }

    private static RevenueEvent Ledger(RevenueEventType type, Purchase purchase, DateTime at, object metadata) => new()
    {
        Id = Guid.CreateVersion7(),
        Type = type,
        Amount = purchase.Amount,
        Currency = purchase.Currency,
        At = at,
        PurchaseId = purchase.Id,
        ProjectId = purchase.ProjectId,
        UserId = purchase.UserId,
        SellerId = purchase.SellerId,
        Metadata = JsonSerializer.Serialize(metadata, JsonSerializerOptions.Web),
    };

    private static ConflictException AlreadyPurchased() =>
        new("already_purchased", "You already own this project; a second purchase is refused while the first stands.");

    private static ConflictException AlreadyRefunded() => new("already_refunded", "This purchase has already been refunded.");
}
