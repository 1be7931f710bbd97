using Catalyst.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Catalyst.Data.Features;

public enum FeatureFlagState { Off, On, Percentage, Targeted }

/// <summary>
/// A feature flag's definition, edited by admins (SPEC §14) and evaluated by
/// Microsoft.FeatureManagement through <see cref="DatabaseFeatureDefinitionProvider"/>: off, on, on for
/// a sticky percentage of users, or on for named users (e-mails) and roles.
/// </summary>
public class FeatureFlag : ITimestamped, IVersioned
{
    public required string Name { get; set; }
    public string? Description { get; set; }
    public FeatureFlagState State { get; set; }
    /// <summary>0–100; used when <see cref="State"/> is <see cref="FeatureFlagState.Percentage"/>.</summary>
    public int Percentage { get; set; }
    /// <summary>Lower-case e-mails; used when targeted.</summary>
    public List<string> Users { get; set; } = [];
    /// <summary>Role names; used when targeted.</summary>
    public List<string> Roles { get; set; } = [];
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public long Version { get; set; }
}

public sealed class FeatureFlagConfiguration : IEntityTypeConfiguration<FeatureFlag>
{
    public void Configure(EntityTypeBuilder<FeatureFlag> builder)
    {
        builder.ToTable("FeatureFlags");
        builder.HasKey(f => f.Name);
        builder.Property(f => f.Name).HasMaxLength(FeatureFlagRules.MaxNameLength).IsUnicode(false);
        builder.Property(f => f.Description).HasMaxLength(FeatureFlagRules.MaxDescriptionLength);
        builder.Property(f => f.State).HasConversion<string>().HasMaxLength(16).IsUnicode(false);
        builder.Property(f => f.Users);
        builder.Property(f => f.Roles);
    }
}
