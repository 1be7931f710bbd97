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
    // The stored values keep the feature's old name: JobRuns in the database carry them.
    public const string LegacyImport = "legacy-migration";
    public const string LegacyImportVerification = "legacy-verify";
    public const string LegacyImportRollback = "legacy-rollback";

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
        [LegacyImport] = "Legacy import",
        [LegacyImportVerification] = "Legacy import verification",
        [LegacyImportRollback] = "Legacy import rollback",
    };

    public static string DisplayName(string kind) => DisplayNames.TryGetValue(kind, out var name) ? name : kind;
}
