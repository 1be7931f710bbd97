using System.Runtime.CompilerServices;
using System.Text.Json;
using Catalyst.Data.Backups;
using Catalyst.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Deployments;

/// <summary>A website's deployment configurations travel in its backup without their credentials: those stay in this server's vault.</summary>
public sealed class DeploymentBackupConfigs(CatalystDbContext db) : IBackupDeploymentConfigs
{
    public async IAsyncEnumerable<BackupDeploymentConfig> ForWebsiteAsync(Guid websiteId, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var config in db.Set<DeploymentConfig>().AsNoTracking().Where(c => c.WebsiteId == websiteId).OrderBy(c => c.Id).AsAsyncEnumerable().WithCancellation(ct))
        {
            using var settings = JsonDocument.Parse(config.Settings, JsonLimits.Value);
            yield return new BackupDeploymentConfig(config.Id, config.Name, config.Provider, config.Endpoint, settings.RootElement.Clone());
        }
    }
}
