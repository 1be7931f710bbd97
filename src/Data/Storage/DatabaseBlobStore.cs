using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Data.Storage;

/// <summary>
/// Packs (and loose chunks from before packs) as rows of the <c>ChunkData</c> table in the main database; a pack is gathered in memory and inserted whole when sealed: one transaction makes a
/// write atomic, and the conditional DELETE settles a race with a writer's touch.
/// </summary>
public sealed class DatabaseBlobStore(IServiceScopeFactory scopes, TimeProvider time) : IBlobStore
{
    public string Name => "Database";

    public async Task EnsureAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        Validate(key);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CatalystDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        if (await db.Set<ChunkData>().Where(c => c.Key == key).ExecuteUpdateAsync(s => s.SetProperty(c => c.LastModified, now), ct) > 0)
            return;
        db.Set<ChunkData>().Add(new ChunkData { Key = key, Data = data.ToArray(), LastModified = now });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another writer inserted the same content first.
            db.ChangeTracker.Clear();
            await db.Set<ChunkData>().Where(c => c.Key == key).ExecuteUpdateAsync(s => s.SetProperty(c => c.LastModified, now), ct);
        }
    }

    public async Task<byte[]?> ReadAsync(string key, CancellationToken ct)
    {
        Validate(key);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CatalystDbContext>();
        return await db.Set<ChunkData>().AsNoTracking().Where(c => c.Key == key).Select(c => c.Data).FirstOrDefaultAsync(ct);
    }

    /// <summary>A byte range read inside the database (SUBSTRING of the row), so a chunk does not cost its pack.</summary>
    public async ValueTask<int> ReadRangeAsync(string key, long offset, Memory<byte> buffer, CancellationToken ct)
    {
        Validate(key);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CatalystDbContext>();
        var start = offset + 1; // SQL counts from 1
        var count = buffer.Length;
        var rows = db.Database.IsSqlServer()
            ? db.Database.SqlQuery<byte[]>($"SELECT SUBSTRING([Data], {start}, {count}) AS [Value] FROM [ChunkData] WHERE [Key] = {key}")
            : db.Database.SqlQuery<byte[]>($"SELECT substr(\"Data\", {start}, {count}) AS \"Value\" FROM \"ChunkData\" WHERE \"Key\" = {key}");
        var bytes = await rows.ToListAsync(ct);
        if (bytes.Count == 0)
            return -1;
        var read = bytes[0] ?? [];
        read.CopyTo(buffer);
        return read.Length;
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken ct)
    {
        Validate(key);
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CatalystDbContext>().Set<ChunkData>().AnyAsync(c => c.Key == key, ct);
    }

    public async Task<long> DeleteIfStaleAsync(string key, DateTime cutoff, CancellationToken ct)
    {
        Validate(key);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CatalystDbContext>();
        var length = await db.Set<ChunkData>().Where(c => c.Key == key).Select(c => (long?)c.Data.Length).FirstOrDefaultAsync(ct);
        if (length is null)
            return 0;
        var deleted = await db.Set<ChunkData>().Where(c => c.Key == key && c.LastModified <= cutoff).ExecuteDeleteAsync(ct);
        return deleted > 0 ? length.Value : 0;
    }

    public async IAsyncEnumerable<BlobStoreItem> ListAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CatalystDbContext>();
        await foreach (var item in db.Set<ChunkData>().AsNoTracking()
            .Select(c => new { c.Key, Length = (long)c.Data.Length, c.LastModified }).AsAsyncEnumerable().WithCancellation(ct))
            yield return new BlobStoreItem(item.Key, item.Length, item.LastModified);
    }

    public async Task CheckHealthAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<CatalystDbContext>().Set<ChunkData>().AnyAsync(ct);
    }

    private static void Validate(string key)
    {
        if (!StorageKeys.IsValid(key))
            throw new ArgumentException("Not a chunk key.", nameof(key));
    }
}
