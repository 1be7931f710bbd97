using Catalyst.Data.Common;

namespace Catalyst.Data.Marketplace;

// The marketplace rows of SPEC §5. A project's own listing fields (isPublished, price, currency,
// category, downloadCount, rating) live on the Project row; these are the records around it.

public enum PurchaseStatus { Completed, Refunded }

/// <summary>
/// One purchase of a project by a user. A financial record: it keeps the project's id, name and
/// seller as they were, and outlives the project (no foreign key to it).
/// </summary>
public class Purchase : ITimestamped, IVersioned
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public Guid ProjectId { get; set; }
    public Guid SellerId { get; set; }
    public required string ProjectName { get; set; }
    /// <summary>Minor units of <see cref="Currency"/>.</summary>
    public long Amount { get; set; }
    public required string Currency { get; set; }
    public PurchaseStatus Status { get; set; }
    /// <summary>The buyer's Idempotency-Key: the same key twice is this one purchase.</summary>
    public string? IdempotencyKey { get; set; }
    public required string PaymentProvider { get; set; }
    public string? PaymentReference { get; set; }
    public DateTime? RefundedAt { get; set; }
    public Guid? RefundedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public long Version { get; set; }
}

/// <summary>A rating with an optional text, one per user and project (unique index).</summary>
public class Review : ITimestamped, IVersioned
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }
    public Guid UserId { get; set; }
    public int Rating { get; set; }
    public string? Title { get; set; }
    public string? Body { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public long Version { get; set; }
}

/// <summary>Why a user may download a project's package; checked again when the token is redeemed.</summary>
public enum DownloadGrant { Owner, Admin, Purchase, Free }

/// <summary>
/// A single-use download grant. Only the SHA-256 of the token is stored; the token itself is given
/// to the user once. <see cref="UsedAt"/> is set by the one redemption that wins (see DownloadService
/// for resumes and revocation).
/// </summary>
public class DownloadToken
{
    public Guid Id { get; set; }
    public required string TokenHash { get; set; }
    public Guid UserId { get; set; }
    public Guid ProjectId { get; set; }
    public DownloadGrant Grant { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>The expiry sealed in the token, or earlier: the moment a refund or an unpublish revoked it.</summary>
    public DateTime ExpiresAt { get; set; }
    public DateTime? UsedAt { get; set; }
}

/// <summary>The download log: who fetched which project's package, when.</summary>
public class Download
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public Guid ProjectId { get; set; }
    public Guid TokenId { get; set; }
    public DateTime At { get; set; }
    public required string Sha256 { get; set; }
    public long Length { get; set; }
}

public enum RevenueEventType { Purchase, Refund, Payout }

/// <summary>
/// The revenue ledger. Amounts are positive minor units; <see cref="Type"/> says which way the money
/// went (a refund takes its amount back). Written in the same transaction as the purchase or refund.
/// </summary>
public class RevenueEvent
{
    public Guid Id { get; set; }
    public RevenueEventType Type { get; set; }
    public long Amount { get; set; }
    public required string Currency { get; set; }
    public DateTime At { get; set; }
    public Guid? PurchaseId { get; set; }
    public Guid? ProjectId { get; set; }
    public Guid? UserId { get; set; }
    public Guid? SellerId { get; set; }
    /// <summary>JSON: provider, reference, project name, reason.</summary>
    public string? Metadata { get; set; }
}

/// <summary>
/// The package a published project sells: a snapshot of an asset (name, type, length, hash) held
/// by its own blob reference, so buyers keep their download when the seller deletes the asset.
/// </summary>
public class MarketplacePackage : ITimestamped
{
    public Guid ProjectId { get; set; }
    public Guid? AssetId { get; set; }
    public required string FileName { get; set; }
    public required string MediaType { get; set; }
    public long Length { get; set; }
    public required string Sha256 { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>
/// The browse text index: every prefix (2 to <see cref="MarketplaceSearchTerms.MaxTermLength"/>
/// characters) of every word of a published project's name, tags and category. A query word is
/// one equality lookup on (Term, ProjectId), never a LIKE over all projects.
/// </summary>
public class MarketplaceSearchTerm
{
    public required string Term { get; set; }
    public Guid ProjectId { get; set; }
}
