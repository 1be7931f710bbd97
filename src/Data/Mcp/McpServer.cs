using Catalyst.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Catalyst.Data.Mcp;

public enum McpTransport { Stdio, Http, Sse }

public enum McpServerStatus { Active, Inactive }

/// <summary>
/// An MCP server admins make available to every user (SPEC §5, §14). Deleting one is soft
/// (<see cref="DeletedAt"/>); only live rows hold their name, so a deleted server's name is free again.
/// Its optional credential is a <see cref="Secrets.Credential"/> that points here.
/// </summary>
public class McpServer : ITimestamped, IVersioned
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    /// <summary>Upper-case <see cref="Name"/>: the uniqueness key among live rows.</summary>
    public required string NormalizedName { get; set; }
    public string? Description { get; set; }
    public McpTransport Transport { get; set; }
    /// <summary>The absolute URL of an http or sse server.</summary>
    public string? Endpoint { get; set; }
    /// <summary>The command line that starts a stdio server.</summary>
    public string? Command { get; set; }
    public McpServerStatus Status { get; set; }
    public DateTime? DeletedAt { get; set; }
    public Guid? CreatedById { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public long Version { get; set; }

    public bool IsDeleted => DeletedAt is not null;
}

public sealed class McpServerConfiguration : IEntityTypeConfiguration<McpServer>
{
    public void Configure(EntityTypeBuilder<McpServer> builder)
    {
        builder.ToTable("McpServers");
        // Its stored credential (the vault does not know the parts that own credentials).
        builder.HasMany<Catalyst.Data.Secrets.Credential>().WithOne().HasForeignKey(c => c.McpServerId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(s => s.Name).HasMaxLength(McpServerRules.MaxNameLength).IsRequired();
        builder.Property(s => s.NormalizedName).HasMaxLength(McpServerRules.MaxNameLength).IsRequired();
        builder.Property(s => s.Description).HasMaxLength(McpServerRules.MaxDescriptionLength);
        builder.Property(s => s.Transport).HasConversion<string>().HasMaxLength(8).IsUnicode(false);
        builder.Property(s => s.Status).HasConversion<string>().HasMaxLength(16).IsUnicode(false);
        builder.Property(s => s.Endpoint).HasMaxLength(McpServerRules.MaxEndpointLength);
        builder.Property(s => s.Command).HasMaxLength(McpServerRules.MaxCommandLength);
        builder.Ignore(s => s.IsDeleted);
        // Unique among live rows only; the filter is plain SQL that SQLite and SQL Server both read.
        builder.HasIndex(s => s.NormalizedName).IsUnique().HasFilter("DeletedAt IS NULL");
        builder.HasIndex(s => new { s.DeletedAt, s.Status, s.NormalizedName });
    }
}
