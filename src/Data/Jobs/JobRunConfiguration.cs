using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Catalyst.Data.Jobs;

public sealed class JobRunConfiguration : IEntityTypeConfiguration<JobRun>
{
    public void Configure(EntityTypeBuilder<JobRun> builder)
    {
        builder.ToTable("JobRuns");
        builder.Property(j => j.Kind).HasMaxLength(64).IsRequired();
        builder.Property(j => j.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(j => j.HangfireJobId).HasMaxLength(64);
        builder.Property(j => j.Error).HasMaxLength(4000);
        builder.HasIndex(j => new { j.RequestedById, j.CreatedAt });
        builder.HasIndex(j => new { j.Status, j.CreatedAt });
        builder.HasIndex(j => j.CreatedAt);
    }
}
