using Catalyst.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Catalyst.Data.Assets;

public sealed class AssetConfiguration : IEntityTypeConfiguration<Asset>
{
    public void Configure(EntityTypeBuilder<Asset> builder)
    {
        builder.ToTable("Assets");
        builder.Property(a => a.FileName).HasMaxLength(FileRules.MaxFileNameLength).IsRequired();
        builder.Property(a => a.MediaType).HasMaxLength(FileRules.MaxMediaTypeLength).IsUnicode(false).IsRequired();
        builder.Property(a => a.Sha256).HasMaxLength(64).IsUnicode(false).IsFixedLength();
        builder.HasOne(a => a.Owner).WithMany().HasForeignKey(a => a.OwnerId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(a => new { a.OwnerId, a.CreatedAt });
        builder.HasIndex(a => new { a.OwnerId, a.Sha256 });
        builder.HasIndex(a => new { a.WebsiteId, a.CreatedAt });
        builder.HasIndex(a => new { a.ProjectId, a.CreatedAt });
        // No asset may point at a website or project that is gone: their delete paths remove or detach
        // the assets first (releasing blob references), and the database refuses any path that forgets.
        builder.HasOne<Websites.Website>().WithMany().HasForeignKey(a => a.WebsiteId).OnDelete(DeleteBehavior.NoAction);
        builder.HasOne<Projects.Project>().WithMany().HasForeignKey(a => a.ProjectId).OnDelete(DeleteBehavior.NoAction);
    }
}
