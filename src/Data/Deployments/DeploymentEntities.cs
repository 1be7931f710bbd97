using Catalyst.Data.Common;
using Catalyst.Data.Websites;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Catalyst.Data.Deployments;

/// <summary>
/// Where a website is deployed (SPEC §5, §14): a provider's endpoint (e.g. a build hook URL), settings
/// that are not secret, and a credential kept by the vault (a <see cref="Secrets.Credential"/> pointing here).
/// </summary>
public class DeploymentConfig : ITimestamped, IVersioned
{
    public Guid Id { get; set; }
    public Guid WebsiteId { get; set; }
    public required string Name { get; set; }
    /// <summary>A short provider name: <c>webhook</c>, <c>netlify</c>, <c>vercel</c>, …</summary>
    public required string Provider { get; set; }
    public required string Endpoint { get; set; }
    /// <summary>A JSON object of non-secret settings, sent to no one (the receiver gets the backup).</summary>
    public string Settings { get; set; } = "{}";
    public Guid? CreatedById { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public long Version { get; set; }
}

public enum DeploymentRunStatus { Queued, Running, Succeeded, Failed }

/// <summary>One deploy of a config: its delivery is the <see cref="Outbox.SyncOperation"/> named by <see cref="SyncOperationId"/>.</summary>
public class DeploymentRun : ITimestamped
{
    public Guid Id { get; set; }
    public Guid ConfigId { get; set; }
    public Guid WebsiteId { get; set; }
    public DeploymentRunStatus Status { get; set; }
    /// <summary>Attempts over the run's whole life, manual retries included (the <c>X-Catalyst-Attempt</c> of the last one).</summary>
    public int Attempts { get; set; }
    public Guid? RequestedById { get; set; }
    public Guid SyncOperationId { get; set; }
    public string? Error { get; set; }
    public DateTime? NextAttemptAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public bool IsFinished => Status is DeploymentRunStatus.Succeeded or DeploymentRunStatus.Failed;
}

/// <summary>One attempt of a run: when, how long, and the receiver's status code or the error.</summary>
public class DeploymentAttempt
{
    public Guid Id { get; set; }
    public Guid RunId { get; set; }
    public int Number { get; set; }
    public DateTime At { get; set; }
    public int DurationMs { get; set; }
    public int? StatusCode { get; set; }
    public string? Error { get; set; }
    /// <summary><c>succeeded</c>, <c>retry</c> (another attempt is scheduled) or <c>failed</c>.</summary>
    public required string Outcome { get; set; }
}

public sealed class DeploymentConfigConfiguration : IEntityTypeConfiguration<DeploymentConfig>
{
    public void Configure(EntityTypeBuilder<DeploymentConfig> builder)
    {
        builder.ToTable("DeploymentConfigs");
        builder.Property(c => c.Name).HasMaxLength(DeploymentRules.MaxNameLength).IsRequired();
        builder.Property(c => c.Provider).HasMaxLength(DeploymentRules.MaxProviderLength).IsUnicode(false).IsRequired();
        builder.Property(c => c.Endpoint).HasMaxLength(2000).IsRequired();
        builder.Property(c => c.Settings).IsRequired();
        builder.HasIndex(c => new { c.WebsiteId, c.CreatedAt });
        builder.HasOne<Website>().WithMany().HasForeignKey(c => c.WebsiteId).OnDelete(DeleteBehavior.Cascade);
        // Its stored credential (the vault does not know the parts that own credentials).
        builder.HasMany<Catalyst.Data.Secrets.Credential>().WithOne().HasForeignKey(c => c.DeploymentConfigId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class DeploymentRunConfiguration : IEntityTypeConfiguration<DeploymentRun>
{
    public void Configure(EntityTypeBuilder<DeploymentRun> builder)
    {
        builder.ToTable("DeploymentRuns");
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(16).IsUnicode(false);
        builder.Property(r => r.Error).HasMaxLength(2000);
        builder.Ignore(r => r.IsFinished);
        builder.HasIndex(r => new { r.ConfigId, r.CreatedAt });
        builder.HasIndex(r => new { r.Status, r.FinishedAt });
        builder.HasIndex(r => r.SyncOperationId).IsUnique();
        builder.HasOne<DeploymentConfig>().WithMany().HasForeignKey(r => r.ConfigId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class DeploymentAttemptConfiguration : IEntityTypeConfiguration<DeploymentAttempt>
{
    public void Configure(EntityTypeBuilder<DeploymentAttempt> builder)
    {
        builder.ToTable("DeploymentAttempts");
        builder.Property(a => a.Error).HasMaxLength(1000);
        builder.Property(a => a.Outcome).HasMaxLength(16).IsUnicode(false);
        builder.HasIndex(a => new { a.RunId, a.Number });
        builder.HasOne<DeploymentRun>().WithMany().HasForeignKey(a => a.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}
