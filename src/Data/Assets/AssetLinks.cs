using Catalyst.Data.Projects;
using Catalyst.Data.Websites;

namespace Catalyst.Data.Assets;

/// <summary>A deleted project's assets stay their owner's, without the link (and its unused upload grants go).</summary>
public sealed class AssetProjectLinks(CatalystDbContext db) : IProjectDependent
{
    public Task ProjectDeletedAsync(Guid projectId, CancellationToken ct) => AssetService.DetachFromProjectAsync(db, projectId, ct);
}

/// <summary>A deleted website's own assets go with it; other users' assets filed under it are detached.</summary>
public sealed class AssetWebsiteLinks(AssetService assets) : IWebsiteDependent
{
    public Task WebsiteRemovingAsync(Guid websiteId, Guid ownerId, CancellationToken ct) => assets.RemoveForWebsiteAsync(websiteId, ownerId, ct);
}
