using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Catalyst.Data.Projects;

public sealed class ProjectConfiguration : IEntityTypeConfiguration<Project>
{
    public void Configure(EntityTypeBuilder<Project> builder)
    {
        builder.ToTable("Projects");
        builder.Property(p => p.Name).HasMaxLength(ProjectRules.MaxNameLength).IsRequired();
        builder.Property(p => p.Description).HasMaxLength(ProjectRules.MaxDescriptionLength);
        builder.Property(p => p.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(p => p.Tags);
        builder.Property(p => p.Currency).HasMaxLength(3).IsUnicode(false);
        builder.Property(p => p.Category).HasMaxLength(64);
        builder.HasOne(p => p.Owner).WithMany().HasForeignKey(p => p.OwnerId).OnDelete(DeleteBehavior.Cascade);
        // Owner-scoped lists ordered by recency, and name search within them.
        builder.HasIndex(p => new { p.OwnerId, p.UpdatedAt });
        builder.HasIndex(p => new { p.OwnerId, p.Name });
        builder.HasIndex(p => p.UpdatedAt);
        builder.HasIndex(p => p.Name);
    }
}
