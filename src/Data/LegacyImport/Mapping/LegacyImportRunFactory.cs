using Catalyst.Data.Assets;
using Catalyst.Data.Chat;
using Catalyst.Data.Common;
using Catalyst.Data.LegacyImport.Reading;
using Catalyst.Data.Projects;
using Catalyst.Data.Storage;
using Catalyst.Data.Websites;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.LegacyImport.Mapping;

/// <summary>
/// Makes a <see cref="LegacyImportRun"/> with a fresh ledger and mappers. Scoped, for the domain
/// services of the caller's unit of work; it keeps nothing of a run, so a scope may run twice
/// (an import, then its verification's recount).
/// </summary>
/// <remarks>
/// Every mapper writes through the domain services, owned by the migrating user. In an apply each unit
/// (a website with everything in it, a batch of projects, sessions, messages or assets, the
/// preferences) commits in one transaction with the source keys of its rows, so a run killed at any
/// point is completed by running it again and a row that already landed is never written twice.
/// </remarks>
public sealed class LegacyImportRunFactory(
    CatalystDbContext db,
    ContentStore content,
    WebsiteService websites,
    ContentModelService contentModel,
    WebsiteDataService websiteData,
    AssetService assets,
    ProjectService projects,
    ChatService chat,
    PreferencesService preferences,
    IOptions<ChatOptions> chatOptions,
    IOptions<Configuration.CatalystOptions> settings,
    TimeProvider time,
    ILogger<LegacyImportRun> logger)
{
    public LegacyImportRun Create(LegacyImportMigration migration, Actor owner, LegacyDumpSet dumps, bool apply, Func<long, long, Task> progress)
    {
        var ledger = new LegacyImportLedger(migration, owner, apply, time);
        var units = new LegacyUnitBatch(db, ledger, logger);
        var blobs = new LegacyBlobWriter(content, ledger);
        return new LegacyImportRun(db, dumps, progress, ledger,
            new LegacyPreferenceMapper(db, preferences, ledger),
            new LegacyWebsiteMapper(db, websites, contentModel, websiteData, assets, settings, blobs, ledger, logger),
            new LegacyProjectMapper(projects, units, ledger),
            new LegacyChatMapper(db, chat, chatOptions, units, ledger, time),
            new LegacyProjectAssetMapper(db, assets, blobs, ledger));
    }
}
