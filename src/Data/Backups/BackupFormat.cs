namespace Catalyst.Data.Backups;

/// <summary>The website backup format (docs/backup-format.md).</summary>
public static class BackupFormat
{
    public const string Name = "catalyst.website-backup";
    public const int Version = 1;
    /// <summary>Asset bytes are written as an array of base64 strings of at most this many decoded bytes each.</summary>
    public const int AssetPieceBytes = 1 << 20;
    public const string Producer = "Catalyst 1.0";
}

public sealed record BackupWebsite(Guid Id, string Name, string Slug, string? Description, string? Category, System.Text.Json.JsonElement Metadata, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record BackupContentType(Guid Id, string Name, string Slug, System.Text.Json.JsonElement Fields);

public sealed record BackupContentItem(Guid Id, Guid ContentTypeId, string Status, System.Text.Json.JsonElement Data, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record BackupDataInfo(int Version, Dictionary<string, string?> Sha256, Dictionary<string, long?> Length);

public sealed record BackupAsset(Guid Id, string FileName, string MediaType, long Length, string Sha256, Guid? ProjectId, DateTime CreatedAt);

public sealed record BackupDeploymentConfig(Guid Id, string Name, string Provider, string? Endpoint, System.Text.Json.JsonElement Settings);
