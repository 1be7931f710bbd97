namespace Catalyst.Data.Jobs;

/// <summary>The kinds of background work a JobRun can describe.</summary>
public static class JobKinds
{
    public const string RecomputeProjectStatistics = "recompute-project-statistics";
    public const string StorageGarbageCollection = "storage-gc";
    public const string StorageVerification = "storage-verify";
    public const string StorageRecompression = "storage-recompress";
    public const string UploadCleanup = "upload-cleanup";
    public const string SearchRebuild = "search-rebuild";
    public const string SearchVerification = "search-verify";
    public const string WebsiteExport = "website-export";
    public const string WebsiteImport = "website-import";
    public const string AccountExport = "account-export";
    public const string SecretKeyRotation = "secret-key-rotation";
    public const string LegacyMigration = "legacy-migration";
    public const string LegacyVerification = "legacy-verify";
    public const string LegacyRollback = "legacy-rollback";

    public static readonly IReadOnlyDictionary<string, string> DisplayNames = new Dictionary<string, string>
    {
        [RecomputeProjectStatistics] = "Recompute project statistics",
        [StorageGarbageCollection] = "Storage garbage collection",
        [StorageVerification] = "Storage verification",
        [StorageRecompression] = "Cold chunk recompression",
        [UploadCleanup] = "Expired upload cleanup",
        [SearchRebuild] = "Search index rebuild",
        [SearchVerification] = "Search index verification",
        [WebsiteExport] = "Website export",
        [WebsiteImport] = "Website import",
        [AccountExport] = "Account archive",
        [SecretKeyRotation] = "Secret key rotation",
        [LegacyMigration] = "Legacy data migration",
        [LegacyVerification] = "Legacy migration verification",
        [LegacyRollback] = "Legacy migration rollback",
    };

    public static string DisplayName(string kind) => DisplayNames.TryGetValue(kind, out var name) ? name : kind;
}
