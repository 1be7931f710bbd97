using Catalyst.Data.Changes;
using Catalyst.Data.Features;

namespace Catalyst.Data.Sync;

/// <summary>
/// Moves the feed's one <c>features</c> row to the head when a flag is created, changed or deleted, so
/// every client's next <c>/api/sync/changes</c> carries its flag map again (SPEC §14: the flags a user
/// gets appear in the changes feed when they flip).
/// </summary>
public sealed class SyncFeatureFlagListener(ChangeSet changes) : IFeatureFlagChangeListener
{
    public async Task FlagChangedAsync(FeatureFlagChange change, CancellationToken ct)
    {
        changes.Upserted(SyncEntityTypes.Features, Guid.Empty, Guid.Empty);
        await changes.SaveAsync(ct);
    }
}
