using Catalyst.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Storage;

/// <summary>Bytes held outside blob references (unfinished uploads), reported by the feature that holds them.</summary>
public interface IStorageHolding
{
    /// <summary>Bytes each user holds this way (<paramref name="userId"/> null: every user).</summary>
    Task<IReadOnlyDictionary<Guid, long>> BytesByUserAsync(Guid? userId, CancellationToken ct);
}

public sealed record QuotaDrift(Guid UserId, long Recorded, long Actual);

/// <summary>
/// The per-user storage quota (<c>Storage:Uploads:QuotaBytesPerUser</c>), enforced atomically: a
/// charge is one conditional UPDATE of the user's <see cref="StorageUsage"/> row
/// (<c>Bytes + n &lt;= limit</c>), run in the caller's transaction, so of any number of concurrent
/// writers on any number of instances only those that fit are admitted, and a rolled-back write
/// takes its charge with it. Charges come from blob references (<see cref="ContentStore.AddReferenceAsync"/>
/// with a user to charge) and from unfinished uploads; releases from removing them.
/// </summary>
public sealed class StorageQuota(CatalystDbContext db, IOptions<StorageOptions> options, IEnumerable<IStorageHolding> holdings, TimeProvider time)
{
    public long Limit => options.Value.Uploads.QuotaBytesPerUser;

    /// <summary>Charges <paramref name="bytes"/> to the user, or throws <see cref="QuotaExceededException"/> when they do not fit.</summary>
    public async Task ChargeAsync(Guid userId, long bytes, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("A quota charge must share the transaction of the rows it accounts for.");
        var limit = Limit;
        var now = Clock.UtcNow(time);
        var admitted = await db.Set<StorageUsage>().Where(u => u.UserId == userId && u.Bytes + bytes <= limit)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.Bytes, u => u.Bytes + bytes).SetProperty(u => u.UpdatedAt, now), ct);
        if (admitted == 1)
            return;
        var used = await db.Set<StorageUsage>().Where(u => u.UserId == userId).Select(u => (long?)u.Bytes).FirstOrDefaultAsync(ct)
            ?? throw new InvalidOperationException($"User {userId} has no storage usage row.");
        throw new QuotaExceededException(used, limit, bytes);
    }

    /// <summary>Gives back bytes charged earlier (in the caller's unit of work).</summary>
    public Task ReleaseAsync(Guid userId, long bytes, CancellationToken ct) => ReleaseAsync(db, time, userId, bytes, ct);

    /// <summary>The same, for code that holds only the DbContext.</summary>
    public static async Task ReleaseAsync(CatalystDbContext db, TimeProvider time, Guid userId, long bytes, CancellationToken ct)
    {
        if (bytes <= 0)
            return;
        var now = Clock.UtcNow(time);
        await db.Set<StorageUsage>().Where(u => u.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.Bytes, u => u.Bytes - bytes).SetProperty(u => u.UpdatedAt, now), ct);
    }

    /// <summary>What the user holds now, as recorded.</summary>
    public async Task<long> UsedAsync(Guid userId, CancellationToken ct) =>
        await db.Set<StorageUsage>().AsNoTracking().Where(u => u.UserId == userId).Select(u => (long?)u.Bytes).FirstOrDefaultAsync(ct) ?? 0;

    /// <summary>What the user holds, recomputed from the rows the charges stand for.</summary>
    public async Task<long> ComputeAsync(Guid userId, CancellationToken ct)
    {
        var references = await db.Set<BlobReference>().AsNoTracking().Where(r => r.ChargedUserId == userId).SumAsync(r => (long?)r.ChargedBytes, ct) ?? 0;
        long other = 0;
        foreach (var holding in holdings)
            other += (await holding.BytesByUserAsync(userId, ct)).GetValueOrDefault(userId);
        return references + other;
    }

    /// <summary>Users whose recorded usage differs from the recomputed one; with <paramref name="repair"/>, set to the recomputed value.</summary>
    public async Task<IReadOnlyList<QuotaDrift>> VerifyAsync(bool repair, CancellationToken ct)
    {
        var actual = await db.Set<BlobReference>().AsNoTracking().Where(r => r.ChargedUserId != null)
            .GroupBy(r => r.ChargedUserId!.Value).Select(g => new { UserId = g.Key, Bytes = g.Sum(r => r.ChargedBytes) })
            .ToDictionaryAsync(g => g.UserId, g => g.Bytes, ct);
        foreach (var holding in holdings)
            foreach (var (user, bytes) in await holding.BytesByUserAsync(null, ct))
                actual[user] = actual.GetValueOrDefault(user) + bytes;
        var recorded = await db.Set<StorageUsage>().AsNoTracking().ToDictionaryAsync(u => u.UserId, u => u.Bytes, ct);
        var drifts = recorded.Where(r => r.Value != actual.GetValueOrDefault(r.Key))
            .Select(r => new QuotaDrift(r.Key, r.Value, actual.GetValueOrDefault(r.Key))).ToList();
        if (repair)
        {
            var now = Clock.UtcNow(time);
            foreach (var drift in drifts)
                await db.Set<StorageUsage>().Where(u => u.UserId == drift.UserId)
                    .ExecuteUpdateAsync(s => s.SetProperty(u => u.Bytes, drift.Actual).SetProperty(u => u.UpdatedAt, now), ct);
        }
        return drifts;
    }
}
