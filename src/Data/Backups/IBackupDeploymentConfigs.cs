namespace Catalyst.Data.Backups;

/// <summary>
/// Where a website backup's <c>deploymentConfigs</c> section comes from. Owned here and implemented
/// by the deployments feature (which itself sends backups), so that backups never reach into it.
/// </summary>
public interface IBackupDeploymentConfigs
{
    /// <summary>The website's deployment configurations in a stable order, without their credentials.</summary>
    IAsyncEnumerable<BackupDeploymentConfig> ForWebsiteAsync(Guid websiteId, CancellationToken ct);
}
