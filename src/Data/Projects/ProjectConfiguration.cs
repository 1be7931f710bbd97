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
        // Lists are ordered newest first with Id as the tie-breaker (ProjectService.ListAsync). The
        // index carries the whole ORDER BY, so a deep page steps over index entries; without Id in
        // it SQLite sorted every row of the owner to serve any page.
        builder.HasIndex(p => new { p.OwnerId, p.UpdatedAt, p.Id });
        builder.HasIndex(p => new { p.OwnerId, p.Name });
        builder.HasIndex(p => new { p.UpdatedAt, p.Id });
        builder.HasIndex(p => p.Name);
    }
}
