using Catalyst.Data.Common;
using Catalyst.Data.LegacyImport.Reading;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Catalyst.Data.LegacyImport.Mapping;

/// <summary>
/// Targets a domain service writes one at a time (projects; chat sessions the batch create refused),
/// each with its source key. They wait here and commit <see cref="Size"/> to a transaction; a batch
/// that is refused is undone and written again one unit per transaction, so only the refused row fails.
/// In a dry run a unit lands at once with a made-up id.
/// </summary>
internal sealed class LegacyUnitBatch(CatalystDbContext db, LegacyImportLedger ledger, ILogger logger)
{
    public const int Size = 100;
    private readonly List<(LegacyRow Row, Func<Task<Guid>> Write, string Kind, string Extra)> _units = [];

    public async Task AddAsync(LegacyRow row, Func<Task<Guid>> write, string kind, string extra, CancellationToken ct)
    {
        if (!ledger.Apply)
        {
            ledger.Land(row, kind, Guid.NewGuid().ToString(), extra: extra);
            ledger.ClearPending();
            return;
        }
        _units.Add((row, write, kind, extra));
        if (_units.Count >= Size)
            await FlushAsync(ct);
    }

    public async Task FlushAsync(CancellationToken ct)
    {
        if (_units.Count == 0)
            return;
        var units = _units.ToList();
        _units.Clear();
        var snapshot = ledger.Tally.Snapshot();
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            try
            {
                foreach (var (row, write, kind, extra) in units)
                    ledger.Land(row, kind, (await write()).ToString(), extra: extra);
                db.Set<LegacySourceKey>().AddRange(ledger.Pending);
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                ledger.ClearPending();
                return;
            }
            catch (Exception ex) when (ex is DomainException or DbUpdateException && units.Count > 1)
            {
                await tx.RollbackAsync(CancellationToken.None);
                db.ChangeTracker.Clear();
                ledger.Forget(snapshot);
            }
            catch (Exception ex) when (ex is DomainException or DbUpdateException)
            {
                await tx.RollbackAsync(CancellationToken.None);
                db.ChangeTracker.Clear();
                ledger.Forget(snapshot);
                ledger.Count(units[0].Row, LegacyOutcome.Failed, ledger.Reason(ex, null, logger));
                return;
            }
        }
        foreach (var unit in units)
        {
            _units.Add(unit);
            await FlushAsync(ct);
        }
    }
}
