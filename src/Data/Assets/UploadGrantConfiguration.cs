using Catalyst.Data.Common;
using Catalyst.Data.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Catalyst.Data.Assets;

public sealed class UploadGrantConfiguration : IEntityTypeConfiguration<UploadGrant>
{
    public void Configure(EntityTypeBuilder<UploadGrant> builder)
    {
        builder.ToTable("UploadGrants");
        builder.Property(g => g.FileName).HasMaxLength(FileRules.MaxFileNameLength).IsRequired();
        builder.Property(g => g.MediaType).HasMaxLength(FileRules.MaxMediaTypeLength).IsUnicode(false).IsRequired();
        builder.HasOne<CatalystUser>().WithMany().HasForeignKey(g => g.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(g => new { g.UserId, g.ExpiresAt });
        builder.HasIndex(g => g.UploadId);
    }
}
