using Catalyst.Data.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Catalyst.Tests.Unit.Storage;

public class GarbageCollectionTests
{
    [Fact]
    public async Task Unreferenced_blobs_are_freed_after_the_grace_period_and_referenced_ones_kept()
    {
        await using var host = await StorageHost.StartAsync(grace: TimeSpan.Zero);
        var kept = await host.WriteAsync(StorageHost.RandomBytes(1 << 20, 1));
        await host.ReferenceAsync(kept.Sha256, "kept");
        var dropped = await host.WriteAsync(StorageHost.RandomBytes(1 << 20, 2));
        await host.ReferenceAsync(dropped.Sha256, "dropped");
        await host.UnreferenceAsync("dropped");

        var result = await host.CollectAsync();

        Assert.Equal(1, result.BlobsDeleted);
        Assert.True(result.ChunksDeleted > 0);
        Assert.InRange(result.BytesFreed, 1 << 20, (1 << 20) + 4096);
        Assert.Equal(StorageHost.RandomBytes(1 << 20, 1), await host.ReadAsync(kept.Sha256));
        Assert.False(await host.WithScopeAsync(sp => sp.GetRequiredService<ContentStore>().ExistsAsync(dropped.Sha256, CancellationToken.None)));
        var summary = await host.SummaryAsync();
        Assert.Equal(1, summary.Blobs);
        Assert.Equal(1 << 20, summary.ChunkBytes);
    }

    [Fact]
    public async Task Within_the_grace_period_nothing_is_freed()
    {
        await using var host = await StorageHost.StartAsync(grace: TimeSpan.FromHours(1));
        await host.WriteAsync(StorageHost.RandomBytes(1 << 20, 3)); // never referenced: a writer may be about to

        var result = await host.CollectAsync();

        Assert.Equal(new GarbageCollectionResult(0, 0, 0, 0), result);
    }

    [Fact]
    public async Task A_chunk_shared_with_a_live_blob_survives_when_its_other_blob_is_freed()
    {
        await using var host = await StorageHost.StartAsync(grace: TimeSpan.Zero);
        var common = StorageHost.RandomBytes(2 << 20, 4);
        byte[] first = [.. common, .. StorageHost.RandomBytes(300_000, 5)];
        byte[] second = [.. common, .. StorageHost.RandomBytes(300_000, 6)];
        var a = await host.WriteAsync(first);
        var b = await host.WriteAsync(second);
        await host.ReferenceAsync(a.Sha256, "a");
        await host.ReferenceAsync(b.Sha256, "b");
        await host.UnreferenceAsync("a");

        await host.CollectAsync();

        Assert.Equal(second, await host.ReadAsync(b.Sha256));
    }

    [Fact]
    public async Task Objects_the_index_does_not_know_are_removed_as_orphans()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StorageHost.StartAsync(grace: TimeSpan.Zero, time: clock);
        var key = new string('a', 64);
        await host.BlobStore.EnsureAsync(key, new byte[1234], CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(1)); // the object is older than the collector's cutoff

        var result = await host.CollectAsync();

        Assert.Equal(1, result.OrphansDeleted);
        Assert.False(await host.BlobStore.ExistsAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task A_pack_a_crashed_writer_never_sealed_is_removed_after_the_grace_period_and_one_being_written_is_kept()
    {
        await using var host = await StorageHost.StartAsync(grace: TimeSpan.FromHours(1));
        var store = (FileSystemBlobStore)host.BlobStore;
        var crashed = store.PathOf(StorageKeys.Pack(StorageKeys.NewPackId())) + ".0badf00d.tmp";
        var writing = store.PathOf(StorageKeys.Pack(StorageKeys.NewPackId())) + ".0afef00d.tmp";
        foreach (var path in new[] { crashed, writing })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, new byte[5000]);
        }
        File.SetLastWriteTimeUtc(crashed, DateTime.UtcNow.AddHours(-2));

        var result = await host.CollectAsync();

        Assert.False(File.Exists(crashed));
        Assert.True(File.Exists(writing));
        Assert.Equal(5000, result.BytesFreed);
    }

    [Fact]
    public async Task Verification_finds_wrong_counts_and_missing_chunks_and_rebuilds_counts()
    {
        await using var host = await StorageHost.StartAsync();
        var blob = await host.WriteAsync(StorageHost.RandomBytes(1 << 20, 7));
        await host.ReferenceAsync(blob.Sha256, "x");
        await host.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<Catalyst.Data.CatalystDbContext>();
            await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ExecuteUpdateAsync(
                db.Set<StoredBlob>(), s => s.SetProperty(b => b.ReferenceCount, 5));
        });
        var verifier = (bool rebuild, bool deep) => host.WithScopeAsync(sp => sp.GetRequiredService<StorageVerifier>().VerifyAsync(rebuild, deep, null, CancellationToken.None));

        var first = await verifier(true, true);
        Assert.Contains(first.Problems, p => p.Contains("reference count 5", StringComparison.Ordinal));
        Assert.Equal(1, first.CountsRebuilt);
        Assert.True((await verifier(false, true)).Healthy);

        var path = ((FileSystemBlobStore)host.BlobStore).PathOf(StorageKeys.Pack(await host.WithScopeAsync(async sp =>
            await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.FirstAsync(
                sp.GetRequiredService<Catalyst.Data.CatalystDbContext>().Set<StoredChunk>().Select(c => c.PackId!)))));
        File.Delete(path);
        var broken = await verifier(false, false);
        Assert.Contains(broken.Problems, p => p.Contains("missing", StringComparison.Ordinal));
    }
}
