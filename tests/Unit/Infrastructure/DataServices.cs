using Catalyst.Data;
using Catalyst.Data.Audit;
using Catalyst.Data.Caching;
using Catalyst.Data.Chat;
using Catalyst.Data.Projects;
using Catalyst.Data.Search;
using Catalyst.Data.Changes;
using Catalyst.Data.Sync;
using Microsoft.Extensions.Options;

namespace Catalyst.Tests.Unit.Infrastructure;

/// <summary>The domain services over a bare DbContext (no host), for tests against a database of their own.</summary>
public sealed class DataServices(CatalystDbContext db)
{
    public MetadataCache Cache { get; } = new(Options.Create(new CacheOptions()));

    public ChangeSet Changes() => new(db, new SearchIndexer(db, Options.Create(new SearchOptions())), Cache, TimeProvider.System);

    public ProjectService Projects()
    {
        var changes = Changes();
        // The parts that point at projects, as the modules register them.
        return new(db, new AuditLog(db, TimeProvider.System), changes, Cache,
            [new Catalyst.Data.Assets.AssetProjectLinks(db), new ChatProjectLinks(db, changes), new Catalyst.Data.Marketplace.MarketplaceProjectLinks(db)]);
    }

    public ChatService Chat() => new(db, Changes(), Options.Create(new ChatOptions()), TimeProvider.System);

    public SearchService Search() => new(db, SearchSources(), Options.Create(new SearchOptions()));

    public SearchMaintenance Maintenance() => new(db, new SearchIndexer(db, Options.Create(new SearchOptions())), SearchSources(), Options.Create(new SearchOptions()));

    private ISearchSource[] SearchSources() => [new ChatSearchSource(db), new ProjectSearchSource(db)];

    public SyncService Sync() => new(db, Cache, Options.Create(new SyncOptions()), new NoFlags());

    /// <summary>No feature flags defined: what a database without any flag gives every user.</summary>
    private sealed class NoFlags : Catalyst.Data.Features.IUserFeatures
    {
        private static readonly IReadOnlyDictionary<string, bool> None = new Dictionary<string, bool>();
        public Task<IReadOnlyDictionary<string, bool>> ForAsync(Catalyst.Data.Features.FeatureUser user, CancellationToken ct) => Task.FromResult(None);
        public Task<IReadOnlyDictionary<string, bool>> ForUserAsync(Guid userId, CancellationToken ct) => Task.FromResult(None);
    }
}
