using Catalyst.Data.Common;
using Catalyst.Data.Assets;
using Catalyst.Data.Identity;
using Catalyst.Data.Projects;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Catalyst.Data.Marketplace;

// SQL Server refuses two cascade paths from one table to another: AspNetUsers → Projects → Reviews
// already cascades, so the marketplace rows' user keys do not cascade (users are disabled, not
// deleted). Purchases and revenue events are financial records and have no key to the project.

/// <summary>The browse indexes on Projects (SPEC §13): every sort, with and without a category, starts with isPublished.</summary>
public sealed class ProjectMarketplaceConfiguration : IEntityTypeConfiguration<Project>
{
    public void Configure(EntityTypeBuilder<Project> builder)
    {
        // Each index carries its whole ORDER BY (Id last as the tie-breaker), so a page is a walk
        // over the published part of one index; the price indexes also serve the price range.
        builder.HasIndex(p => new { p.IsPublished, p.PublishedAt, p.Id }).HasDatabaseName("IX_Projects_Browse_Newest");
        builder.HasIndex(p => new { p.IsPublished, p.RatingAverage, p.RatingCount, p.Id }).HasDatabaseName("IX_Projects_Browse_Rating");
        builder.HasIndex(p => new { p.IsPublished, p.DownloadCount, p.Id }).HasDatabaseName("IX_Projects_Browse_Downloads");
        builder.HasIndex(p => new { p.IsPublished, p.Price, p.Id }).HasDatabaseName("IX_Projects_Browse_Price");
        builder.HasIndex(p => new { p.IsPublished, p.Category, p.PublishedAt, p.Id }).HasDatabaseName("IX_Projects_Browse_Category_Newest");
        builder.HasIndex(p => new { p.IsPublished, p.Category, p.RatingAverage, p.RatingCount, p.Id }).HasDatabaseName("IX_Projects_Browse_Category_Rating");
        builder.HasIndex(p => new { p.IsPublished, p.Category, p.DownloadCount, p.Id }).HasDatabaseName("IX_Projects_Browse_Category_Downloads");
        builder.HasIndex(p => new { p.IsPublished, p.Category, p.Price, p.Id }).HasDatabaseName("IX_Projects_Browse_Category_Price");
    }
}

public sealed class PurchaseConfiguration : IEntityTypeConfiguration<Purchase>
{
    public void Configure(EntityTypeBuilder<Purchase> builder)
    {
        builder.ToTable("Purchases");
        builder.Property(p => p.ProjectName).HasMaxLength(ProjectRules.MaxNameLength).IsRequired();
        builder.Property(p => p.Currency).HasMaxLength(3).IsUnicode(false).IsRequired();
        builder.Property(p => p.Status).HasConversion<string>().HasMaxLength(16).IsUnicode(false);
        builder.Property(p => p.IdempotencyKey).HasMaxLength(MarketplaceRules.MaxIdempotencyKeyLength);
        builder.Property(p => p.PaymentProvider).HasMaxLength(32).IsUnicode(false).IsRequired();
        builder.Property(p => p.PaymentReference).HasMaxLength(200);
        builder.HasOne<CatalystUser>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Restrict);
        // One completed purchase per user and project; refunded ones do not count. The filter is
        // valid SQL for both providers (SQL Server creates filtered indexes with QUOTED_IDENTIFIER on).
        builder.HasIndex(p => new { p.UserId, p.ProjectId }).IsUnique().HasFilter("\"Status\" = 'Completed'")
            .HasDatabaseName("IX_Purchases_Completed");
        builder.HasIndex(p => new { p.UserId, p.IdempotencyKey }).IsUnique().HasFilter("\"IdempotencyKey\" IS NOT NULL");
        builder.HasIndex(p => new { p.UserId, p.CreatedAt, p.Id });
        builder.HasIndex(p => new { p.ProjectId, p.Status });
        builder.HasIndex(p => new { p.CreatedAt, p.Id });
    }
}

public sealed class ReviewConfiguration : IEntityTypeConfiguration<Review>
{
    public void Configure(EntityTypeBuilder<Review> builder)
    {
        builder.ToTable("Reviews");
        builder.Property(r => r.Title).HasMaxLength(MarketplaceRules.MaxReviewTitleLength);
        builder.Property(r => r.Body).HasMaxLength(MarketplaceRules.MaxReviewBodyLength);
        builder.HasOne<Project>().WithMany().HasForeignKey(r => r.ProjectId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<CatalystUser>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(r => new { r.ProjectId, r.UserId }).IsUnique();
        builder.HasIndex(r => new { r.ProjectId, r.CreatedAt, r.Id });
        builder.HasIndex(r => r.UserId);
    }
}

public sealed class DownloadTokenConfiguration : IEntityTypeConfiguration<DownloadToken>
{
    public void Configure(EntityTypeBuilder<DownloadToken> builder)
    {
        builder.ToTable("DownloadTokens");
        builder.Property(t => t.TokenHash).HasMaxLength(64).IsUnicode(false).IsFixedLength();
        builder.Property(t => t.Grant).HasConversion<string>().HasMaxLength(16).IsUnicode(false);
        builder.HasIndex(t => t.TokenHash).IsUnique();
        builder.HasIndex(t => new { t.UserId, t.ExpiresAt });
        builder.HasIndex(t => t.ExpiresAt);
        builder.HasOne<Project>().WithMany().HasForeignKey(t => t.ProjectId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<CatalystUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Restrict);
    }
}

public sealed class DownloadConfiguration : IEntityTypeConfiguration<Download>
{
    public void Configure(EntityTypeBuilder<Download> builder)
    {
        builder.ToTable("Downloads");
        builder.Property(d => d.Sha256).HasMaxLength(64).IsUnicode(false).IsFixedLength();
        builder.HasIndex(d => new { d.ProjectId, d.At, d.Id });
        builder.HasIndex(d => new { d.UserId, d.At });
        builder.HasIndex(d => d.At);
        builder.HasOne<Project>().WithMany().HasForeignKey(d => d.ProjectId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<CatalystUser>().WithMany().HasForeignKey(d => d.UserId).OnDelete(DeleteBehavior.Restrict);
    }
}

public sealed class RevenueEventConfiguration : IEntityTypeConfiguration<RevenueEvent>
{
    public void Configure(EntityTypeBuilder<RevenueEvent> builder)
    {
        builder.ToTable("RevenueEvents");
        builder.Property(e => e.Type).HasConversion<string>().HasMaxLength(16).IsUnicode(false);
        builder.Property(e => e.Currency).HasMaxLength(3).IsUnicode(false).IsRequired();
        builder.Property(e => e.Metadata).HasMaxLength(4000);
        builder.HasIndex(e => e.At);
        builder.HasIndex(e => new { e.ProjectId, e.At });
        builder.HasIndex(e => e.PurchaseId);
    }
}

public sealed class MarketplacePackageConfiguration : IEntityTypeConfiguration<MarketplacePackage>
{
    public void Configure(EntityTypeBuilder<MarketplacePackage> builder)
    {
        builder.ToTable("MarketplacePackages");
        builder.HasKey(p => p.ProjectId);
        builder.Property(p => p.FileName).HasMaxLength(FileRules.MaxFileNameLength).IsRequired();
        builder.Property(p => p.MediaType).HasMaxLength(FileRules.MaxMediaTypeLength).IsUnicode(false).IsRequired();
        builder.Property(p => p.Sha256).HasMaxLength(64).IsUnicode(false).IsFixedLength();
        builder.HasOne<Project>().WithOne().HasForeignKey<MarketplacePackage>(p => p.ProjectId).OnDelete(DeleteBehavior.Cascade);
        // The asset it was taken from, for the publish form; the bytes are held by the package's own reference.
        builder.HasIndex(p => p.AssetId);
    }
}

public sealed class MarketplaceSearchTermConfiguration : IEntityTypeConfiguration<MarketplaceSearchTerm>
{
    public void Configure(EntityTypeBuilder<MarketplaceSearchTerm> builder)
    {
        builder.ToTable("MarketplaceSearchTerms");
        builder.HasKey(t => new { t.Term, t.ProjectId });
        builder.Property(t => t.Term).HasMaxLength(MarketplaceSearchTerms.MaxTermLength);
        builder.HasIndex(t => t.ProjectId);
        builder.HasOne<Project>().WithMany().HasForeignKey(t => t.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
