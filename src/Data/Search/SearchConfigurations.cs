using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Catalyst.Data.Search;

/// <summary>Dates as UTC ticks: 8-byte integers in the posting indexes instead of SQLite's 27-character text.</summary>
internal sealed class UtcTicksConverter() : ValueConverter<DateTime, long>(
    v => (v.Kind == DateTimeKind.Local ? v.ToUniversalTime() : v).Ticks,
    v => new DateTime(v, DateTimeKind.Utc));

public sealed class SearchDocumentConfiguration : IEntityTypeConfiguration<SearchDocument>
{
    public void Configure(EntityTypeBuilder<SearchDocument> builder)
    {
        builder.ToTable("SearchDocuments");
        builder.Property(d => d.Type).HasConversion<int>();
        builder.Property(d => d.At).HasConversion(new UtcTicksConverter());
        // 16 bytes instead of SQLite's 36-character text: owners are repeated in every posting index.
        builder.Property(d => d.OwnerId).HasConversion(new GuidToBytesConverter()).HasMaxLength(16);
        builder.HasIndex(d => new { d.Type, d.EntityId }).IsUnique();
        builder.HasMany(d => d.Postings).WithOne(p => p.Document).HasForeignKey(p => p.DocumentId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class SearchPostingConfiguration : IEntityTypeConfiguration<SearchPosting>
{
    public void Configure(EntityTypeBuilder<SearchPosting> builder)
    {
        builder.ToTable("SearchPostings");
        // Clustered on SQL Server: a document's postings are one range (re-indexing, probes of one term in one document).
        builder.HasKey(p => new { p.DocumentId, p.TermId });
        builder.Property(p => p.Type).HasConversion<int>();
        builder.Property(p => p.At).HasConversion(new UtcTicksConverter());
        builder.Property(p => p.OwnerId).HasConversion(new GuidToBytesConverter()).HasMaxLength(16);
        // The top of a term is the first rows of one of these, for one owner or (admins) for all.
        // Type (and, for the date orders, Impact) close each index so that it answers alone, without the table.
        builder.HasIndex(p => new { p.TermId, p.OwnerId, p.Impact, p.At, p.DocumentId, p.Type }).HasDatabaseName("IX_SearchPostings_Owner_Relevance");
        builder.HasIndex(p => new { p.TermId, p.OwnerId, p.At, p.DocumentId, p.Type, p.Impact }).HasDatabaseName("IX_SearchPostings_Owner_Recency");
        builder.HasIndex(p => new { p.TermId, p.Impact, p.At, p.DocumentId, p.Type }).HasDatabaseName("IX_SearchPostings_Relevance");
        builder.HasIndex(p => new { p.TermId, p.At, p.DocumentId, p.Type, p.Impact }).HasDatabaseName("IX_SearchPostings_Recency");
    }
}

public sealed class SearchTermConfiguration : IEntityTypeConfiguration<SearchTerm>
{
    public void Configure(EntityTypeBuilder<SearchTerm> builder)
    {
        builder.ToTable("SearchTerms");
        builder.HasKey(t => t.TermId);
        builder.Property(t => t.TermId).ValueGeneratedNever();
    }
}
