using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Catalyst.Data.Websites;

public sealed class WebsiteConfiguration : IEntityTypeConfiguration<Website>
{
    public void Configure(EntityTypeBuilder<Website> builder)
    {
        builder.ToTable("Websites");
        builder.Property(w => w.Name).HasMaxLength(WebsiteRules.MaxNameLength).IsRequired();
        builder.Property(w => w.Slug).HasMaxLength(WebsiteRules.MaxSlugLength).IsUnicode(false).IsRequired();
        builder.Property(w => w.Description).HasMaxLength(WebsiteRules.MaxDescriptionLength);
        builder.Property(w => w.Category).HasMaxLength(64);
        builder.Property(w => w.Metadata).IsRequired();
        builder.HasIndex(w => w.Slug).IsUnique();
        builder.HasIndex(w => new { w.OwnerId, w.UpdatedAt, w.Id });
        builder.HasOne(w => w.Owner).WithMany().HasForeignKey(w => w.OwnerId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class ContentTypeConfiguration : IEntityTypeConfiguration<ContentType>
{
    public void Configure(EntityTypeBuilder<ContentType> builder)
    {
        builder.ToTable("ContentTypes");
        builder.Property(t => t.Name).HasMaxLength(WebsiteRules.MaxNameLength).IsRequired();
        builder.Property(t => t.Slug).HasMaxLength(WebsiteRules.MaxSlugLength).IsUnicode(false).IsRequired();
        builder.Property(t => t.Fields).IsRequired();
        builder.HasIndex(t => new { t.WebsiteId, t.Slug }).IsUnique();
        builder.HasOne<Website>().WithMany().HasForeignKey(t => t.WebsiteId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class ContentItemConfiguration : IEntityTypeConfiguration<ContentItem>
{
    public void Configure(EntityTypeBuilder<ContentItem> builder)
    {
        builder.ToTable("ContentItems");
        builder.Property(i => i.Data).IsRequired();
        builder.Property(i => i.Status).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(i => new { i.WebsiteId, i.ContentTypeId, i.Status, i.UpdatedAt });
        builder.HasIndex(i => new { i.WebsiteId, i.UpdatedAt });
        builder.HasOne<Website>().WithMany().HasForeignKey(i => i.WebsiteId).OnDelete(DeleteBehavior.Cascade);
        // A type with items cannot be deleted out from under them (the service says so with a 409).
        builder.HasOne<ContentType>().WithMany().HasForeignKey(i => i.ContentTypeId).OnDelete(DeleteBehavior.Restrict);
    }
}

public sealed class UserPreferencesConfiguration : IEntityTypeConfiguration<UserPreferences>
{
    public void Configure(EntityTypeBuilder<UserPreferences> builder)
    {
        builder.ToTable("UserPreferences");
        builder.HasKey(p => p.UserId);
        builder.Property(p => p.Preferences).IsRequired();
        builder.HasOne<Identity.CatalystUser>().WithOne().HasForeignKey<UserPreferences>(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class WebsiteDataHeadConfiguration : IEntityTypeConfiguration<WebsiteDataHead>
{
    public void Configure(EntityTypeBuilder<WebsiteDataHead> builder)
    {
        builder.ToTable("WebsiteDataHeads");
        builder.HasKey(h => h.WebsiteId);
        builder.Property(h => h.LastVersion).IsConcurrencyToken();
        builder.HasOne<Website>().WithOne().HasForeignKey<WebsiteDataHead>(h => h.WebsiteId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class WebsiteDataVersionConfiguration : IEntityTypeConfiguration<WebsiteDataVersion>
{
    public void Configure(EntityTypeBuilder<WebsiteDataVersion> builder)
    {
        builder.ToTable("WebsiteDataVersions");
        builder.HasKey(v => new { v.WebsiteId, v.Version });
        foreach (var sha in new[] { nameof(WebsiteDataVersion.ContentSha256), nameof(WebsiteDataVersion.AssetsSha256), nameof(WebsiteDataVersion.AiContextSha256) })
            builder.Property<string?>(sha).HasMaxLength(64).IsUnicode(false).IsFixedLength();
        builder.Property(v => v.Source).HasMaxLength(16).IsUnicode(false);
        builder.Property(v => v.CreatedByEmail).HasMaxLength(256);
        builder.HasIndex(v => new { v.WebsiteId, v.IsConflictBackup, v.Version });
        builder.HasOne<Website>().WithMany().HasForeignKey(v => v.WebsiteId).OnDelete(DeleteBehavior.Cascade);
    }
}
