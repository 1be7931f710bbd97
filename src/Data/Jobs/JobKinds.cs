namespace Catalyst.Data.Jobs;

/// <summary>
/// The kinds of the browser-storage import's jobs, until their classes move into that feature
/// (every other feature's job class carries its own <c>Kind</c> and registers it with <see cref="JobRegistration.AddJob{TJob}"/>).
/// </summary>
public static class JobKinds
{
    public const string LegacyMigration = "legacy-migration";
    public const string LegacyVerification = "legacy-verify";
    public const string LegacyRollback = "legacy-rollback";
}
