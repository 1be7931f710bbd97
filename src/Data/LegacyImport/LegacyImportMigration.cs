using Catalyst.Data.Common;

namespace Catalyst.Data.LegacyImport;

public enum LegacyImportStatus { Pending, DryRun, Applying, Applied, Verified, RolledBack, Failed }

/// <summary>
/// One migration of legacy browser-storage dumps for one user (SPEC §11): its input files (held in
/// the content store, so any Portal or Worker can read them), its report, and the rollback
/// checkpoint written before anything else.
/// </summary>
public class LegacyImportMigration : ITimestamped
{
    public Guid Id { get; set; }
    /// <summary>The migrating user: every target row is theirs.</summary>
    public Guid OwnerId { get; set; }
    public Guid? RequestedById { get; set; }
    public LegacyImportStatus Status { get; set; }
    public bool DryRun { get; set; }
    /// <summary>JSON array of <see cref="LegacyInputFile"/>.</summary>
    public string Files { get; set; } = "[]";
    /// <summary>The report of the last run (<see cref="LegacyReport"/> as JSON), null before one.</summary>
    public string? Report { get; set; }
    /// <summary>What existed before this migration wrote anything (<see cref="LegacyCheckpoint"/> as JSON).</summary>
    public string? Checkpoint { get; set; }
    public string? Error { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? AppliedAt { get; set; }
    public DateTime? VerifiedAt { get; set; }
    public DateTime? RolledBackAt { get; set; }
}

/// <summary>An input file: its original name (display only) and its blob.</summary>
public sealed record LegacyInputFile(string Name, string Sha256, long Length);

/// <summary>
/// A source row that landed: per migrating user, (database, table, key) → the target it became
/// and the migration that created it. Written in the same transaction as its target, so a re-run
/// of the same input finds it and writes nothing, and a run killed half-way is completed.
/// </summary>
public class LegacySourceKey
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public Guid MigrationId { get; set; }
    public required string Database { get; set; }
    public required string Table { get; set; }
    public required string Key { get; set; }
    /// <summary>One of <see cref="LegacyTargetKinds"/>.</summary>
    public required string TargetKind { get; set; }
    public required string TargetId { get; set; }
    /// <summary>SHA-256 of the bytes read, for targets that hold a blob (assets).</summary>
    public string? Sha256 { get; set; }
    /// <summary>The source row's fields that the target has no column for (JSON object), or for a preference its path.</summary>
    public string? Extra { get; set; }
    public DateTime CreatedAt { get; set; }
}

public static class LegacyTargetKinds
{
    public const string Website = "website";
    public const string ContentType = "content-type";
    public const string ContentItem = "content-item";
    public const string WebsiteData = "website-data";
    public const string Asset = "asset";
    public const string Project = "project";
    public const string ChatSession = "chat-session";
    public const string ChatMessage = "chat-message";
    public const string Preference = "preference";
    /// <summary>A row that lives inside another target (website config, folders, AI context rows).</summary>
    public const string Embedded = "embedded";
}
