using Catalyst.Data.Projects;

namespace Catalyst.Data.Marketplace;

/// <summary>Browse finds a published project by its new name and tags; a deleted project's package blob becomes garbage (purchases stay as records).</summary>
public sealed class MarketplaceProjectLinks(CatalystDbContext db) : IProjectDependent
{
    public async Task ProjectUpdatingAsync(Project project, CancellationToken ct)
    {
        if (project.IsPublished)
            await MarketplaceSearchTerms.ReplaceAsync(db, project, ct);
    }

    public Task ProjectDeletedAsync(Guid projectId, CancellationToken ct) => MarketplacePackages.ReleaseAsync(db, projectId, ct);
}
