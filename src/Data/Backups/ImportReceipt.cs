using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Catalyst.Data.Backups;

/// <summary>
/// Written in the same transaction as an import: a job that is retried or restarted after its
/// import committed finds its receipt and reports it instead of importing twice.
/// </summary>
public class ImportReceipt
{
    public Guid JobRunId { get; set; }
    public required string Result { get; set; }
    public DateTime CreatedAt { get; set; }
}

public sealed class ImportReceiptConfiguration : IEntityTypeConfiguration<ImportReceipt>
{
    public void Configure(EntityTypeBuilder<ImportReceipt> builder)
    {
        builder.ToTable("ImportReceipts");
        builder.HasKey(r => r.JobRunId);
        builder.Property(r => r.Result).HasMaxLength(4000).IsRequired();
    }
}
