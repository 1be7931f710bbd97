using System.Security.Cryptography;
using Azure.Storage.Blobs.Specialized;
using Catalyst.Data;
using Catalyst.Data.Storage;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Storage;

/// <summary>
/// What every blob store promises (SPEC §6), run unchanged against the FileSystem, Database and
/// AzureBlob stores: exact reads, atomic and idempotent writes under concurrency, no partial object
/// after an interrupted write, the touch/conditional-delete handshake garbage collection relies
/// on, listing, packs written in pieces and read by ranges, and — through the content store on
/// top — ranged reads, verification, collection with pruning, and the index rebuilt from the packs.
/// </summary>
public abstract class BlobStoreContract : IAsyncLifetime
{
    private StorageHost? _host;
    protected StorageHost Host => _host ?? throw new InvalidOperationException("Not initialized.");
    protected IBlobStore Store => Host.BlobStore;
    private static readonly CancellationToken None = CancellationToken.None;

    protected abstract string Provider { get; }
    protected virtual Task<IReadOnlyDictionary<string, string?>> SettingsAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?>());

    /// <summary>Leaves what this store's write leaves behind when the process dies half-way through it.</summary>
    protected abstract Task InterruptedWriteAsync(string key, byte[] data);

    public async ValueTask InitializeAsync() => _host = await StorageHost.StartAsync(Provider, TimeSpan.Zero, await SettingsAsync());

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
            await _host.DisposeAsync();
    }

    protected static (string Key, byte[] Data) Chunk(int length, int seed)
    {
        var data = StorageHost.RandomBytes(length, seed);
        return (Convert.ToHexStringLower(SHA256.HashData(data)), data);
    }

    [Fact]
    public async Task A_written_object_reads_back_byte_for_byte_whole_and_into_a_buffer()
    {
        var (key, data) = Chunk(200_000, 1);
        await Store.EnsureAsync(key, data, None);

        Assert.True(await Store.ExistsAsync(key, None));
        Assert.Equal(data, await Store.ReadAsync(key, None));
        var buffer = new byte[256 * 1024];
        var length = await Store.ReadIntoAsync(key, buffer, None);
        Assert.Equal(data.Length, length);
        Assert.Equal(data, buffer[..length]);
    }

    [Fact]
    public async Task A_missing_object_reads_as_absent_not_as_an_error()
    {
        var (key, _) = Chunk(10, 2);
        Assert.False(await Store.ExistsAsync(key, None));
        Assert.Null(await Store.ReadAsync(key, None));
        Assert.Equal(-1, await Store.ReadIntoAsync(key, new byte[16], None));
        Assert.Equal(0, await Store.DeleteIfStaleAsync(key, DateTime.UtcNow.AddDays(1), None));
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    [InlineData("abc")]
    [InlineData("")]
    public async Task Keys_that_are_not_lower_case_sha256_hex_are_refused(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.EnsureAsync(key, new byte[1], None));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.ReadAsync(key, None));
    }

    [Fact]
    public async Task Concurrent_writers_of_the_same_chunk_leave_one_intact_object_and_readers_never_see_part_of_it()
    {
        var (key, data) = Chunk(256 * 1024, 3);
        var seen = new List<int>();
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var bytes = await Store.ReadAsync(key, None);
                if (bytes is not null)
                {
                    lock (seen) seen.Add(bytes.Length);
                    Assert.Equal(data, bytes);
                }
            }
        });

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Store.EnsureAsync(key, data, None))));
        await Task.Delay(50); // lets the reader go on a little after the writes: it must still see whole objects
        await stop.CancelAsync();
        await reader;

        Assert.Equal(data, await Store.ReadAsync(key, None));
        Assert.Single(await ListAsync(), i => i.Key == key);
        Assert.All(seen, length => Assert.Equal(data.Length, length));
    }

    [Fact]
    public async Task A_write_interrupted_half_way_leaves_nothing_visible_and_the_next_write_succeeds()
    {
        var (key, data) = Chunk(180_000, 4);
        await InterruptedWriteAsync(key, data);

        Assert.False(await Store.ExistsAsync(key, None));
        Assert.Null(await Store.ReadAsync(key, None));
        Assert.Equal(-1, await Store.ReadIntoAsync(key, new byte[256 * 1024], None));
        Assert.DoesNotContain(await ListAsync(), i => i.Key == key);

        await Store.EnsureAsync(key, data, None);
        Assert.Equal(data, await Store.ReadAsync(key, None));
    }

    [Fact]
    public async Task Writing_an_existing_object_again_touches_it_so_a_conditional_delete_from_before_spares_it()
    {
        var (touched, a) = Chunk(1000, 5);
        var (untouched, b) = Chunk(1000, 6);
        await Store.EnsureAsync(touched, a, None);
        await Store.EnsureAsync(untouched, b, None);
        await Task.Delay(1200); // stores may keep modification times to the second
        var cutoff = DateTime.UtcNow;
        await Task.Delay(1200);

        await Store.EnsureAsync(touched, a, None);

        Assert.Equal(0, await Store.DeleteIfStaleAsync(touched, cutoff, None));
        Assert.Equal(a, await Store.ReadAsync(touched, None));
        Assert.Equal(b.Length, await Store.DeleteIfStaleAsync(untouched, cutoff, None));
        Assert.False(await Store.ExistsAsync(untouched, None));
    }

    [Fact]
    public async Task Listing_returns_every_object_once_with_its_length_and_modification_time()
    {
        var before = DateTime.UtcNow.AddSeconds(-2);
        var chunks = Enumerable.Range(0, 25).Select(i => Chunk(1000 + i * 37, 100 + i)).ToList();
        foreach (var (key, data) in chunks)
            await Store.EnsureAsync(key, data, None);

        var listed = await ListAsync();

        Assert.Equal(chunks.Select(c => c.Key).Order(), listed.Select(i => i.Key).Order());
        foreach (var (key, data) in chunks)
        {
            var item = listed.Single(i => i.Key == key);
            Assert.Equal(data.Length, item.Length);
            Assert.InRange(item.LastModified, before, DateTime.UtcNow.AddSeconds(2));
        }
    }

    [Fact]
    public async Task The_health_check_passes_on_a_reachable_store()
    {
        await Store.CheckHealthAsync(None);
    }

    [Fact]
    public async Task Blobs_on_the_store_read_by_ranges_through_the_chunk_index()
    {
        var data = StorageHost.RandomBytes(3 << 20, 7);
        var blob = await Host.WriteAsync(data);

        await Host.WithScopeAsync(async sp =>
        {
            await using var stream = (await sp.GetRequiredService<ContentStore>().OpenReadAsync(blob.Sha256, None))!;
            foreach (var (offset, length) in new[] { (0L, 10), (1_000_001L, 300_000), ((3L << 20) - 17, 17) })
            {
                stream.Seek(offset, SeekOrigin.Begin);
                var buffer = new byte[length];
                await stream.ReadExactlyAsync(buffer);
                Assert.Equal(data.AsSpan((int)offset, length).ToArray(), buffer);
            }
        });
        Assert.Equal(data, await Host.ReadAsync(blob.Sha256));
    }

    [Fact]
    public async Task Verification_and_garbage_collection_work_over_the_store()
    {
        var kept = await Host.WriteAsync(StorageHost.RandomBytes(1 << 20, 8));
        var dropped = await Host.WriteAsync(StorageHost.RandomBytes(1 << 20, 9));
        await Host.ReferenceAsync(kept.Sha256, "kept");
        await Host.ReferenceAsync(dropped.Sha256, "dropped");
        var verify = () => Host.WithScopeAsync(sp => sp.GetRequiredService<StorageVerifier>().VerifyAsync(false, true, null, None));
        Assert.True((await verify()).Healthy);

        await Host.UnreferenceAsync("dropped");
        await Task.Delay(1100); // past the zero grace on the store's own clock, which may keep modification times to the second
        var collected = await Host.CollectAsync();

        Assert.Equal(1, collected.BlobsDeleted);
        Assert.True(collected.BytesFreed > 0);
        Assert.True(collected.PacksDeleted >= 1, "the dropped blob's pack held nothing else");
        var packs = await Host.WithScopeAsync(sp => sp.GetRequiredService<CatalystDbContext>().Set<StoredPack>().Select(p => p.Id).ToListAsync());
        Assert.Equal(packs.Select(StorageKeys.Pack).Order(), (await ListAsync()).Select(i => i.Key).Order());
        Assert.True((await verify()).Healthy);
        Assert.Equal(StorageHost.RandomBytes(1 << 20, 8), await Host.ReadAsync(kept.Sha256));

        Assert.True(await Store.DeleteIfStaleAsync(StorageKeys.Pack(packs[0]), DateTime.UtcNow.AddDays(1), None) > 0);
        Assert.Contains((await verify()).Problems, p => p.Contains("missing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_pack_written_in_pieces_appears_whole_when_sealed_reads_by_ranges_and_an_unsealed_one_leaves_nothing()
    {
        var key = StorageKeys.Pack(StorageKeys.NewPackId());
        var data = StorageHost.RandomBytes(5 << 20, 61); // more than one Azure block
        await using (var upload = Store.BeginPack(key))
        {
            for (var at = 0; at < data.Length; at += 300_000)
                await upload.AppendAsync(data.AsMemory(at, Math.Min(300_000, data.Length - at)), None);
            Assert.False(await Store.ExistsAsync(key, None));
            await upload.SealAsync(None);
        }
        Assert.True(await Store.ExistsAsync(key, None));
        foreach (var (offset, length) in new[] { (0L, 100), (4_194_000L, 5000), ((long)data.Length - 10, 10) })
        {
            var buffer = new byte[length];
            Assert.Equal(length, await Store.ReadRangeAsync(key, offset, buffer, None));
            Assert.Equal(data.AsSpan((int)offset, length).ToArray(), buffer);
        }
        Assert.Equal(-1, await Store.ReadRangeAsync(StorageKeys.Pack(StorageKeys.NewPackId()), 0, new byte[10], None));

        var abandoned = StorageKeys.Pack(StorageKeys.NewPackId());
        await using (var upload = Store.BeginPack(abandoned))
            await upload.AppendAsync(data.AsMemory(0, 1 << 20), None);
        Assert.False(await Store.ExistsAsync(abandoned, None));
        Assert.DoesNotContain(await ListAsync(), i => i.Key == abandoned);
    }

    [Fact]
    public async Task Blobs_are_stored_in_packs_and_the_index_is_rebuilt_from_the_packs_alone()
    {
        var first = StorageHost.RandomBytes(3 << 20, 62);
        var second = StorageHost.Text(2 << 20, 63);
        var blobs = new[] { await Host.WriteAsync(first), await Host.WriteAsync(second) };
        var chunks = await Host.WithScopeAsync(sp => sp.GetRequiredService<CatalystDbContext>().Set<StoredChunk>().AsNoTracking().ToListAsync());
        Assert.All(chunks, c => Assert.NotNull(c.PackId));
        Assert.Equal(2, chunks.Select(c => c.PackId).Distinct().Count()); // one pack per blob written, not one object per chunk
        Assert.All(await ListAsync(), i => Assert.True(StorageKeys.IsPack(i.Key)));

        await Host.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<CatalystDbContext>();
            await db.Set<StoredChunk>().ExecuteDeleteAsync();
            await db.Set<StoredPack>().ExecuteDeleteAsync();
        });
        var rebuilt = await Host.WithScopeAsync(sp => sp.GetRequiredService<PackIndexRebuilder>().RebuildAsync(null, None));

        Assert.Empty(rebuilt.Problems);
        Assert.Equal((2, chunks.Count), (rebuilt.Packs, rebuilt.ChunksAdded));
        var again = await Host.WithScopeAsync(sp => sp.GetRequiredService<CatalystDbContext>().Set<StoredChunk>().AsNoTracking().ToListAsync());
        Assert.Equal(chunks.Select(c => (c.Sha256, c.PackId, c.PackOffset, c.StoredLength, c.Codec)).Order(),
            again.Select(c => (c.Sha256, c.PackId, c.PackOffset, c.StoredLength, c.Codec)).Order());
        Assert.Equal(first, await Host.ReadAsync(blobs[0].Sha256));
        Assert.Equal(second, await Host.ReadAsync(blobs[1].Sha256));
        Assert.True((await Host.WithScopeAsync(sp => sp.GetRequiredService<StorageVerifier>().VerifyAsync(false, true, null, None))).Healthy);
    }

    [Fact]
    public async Task Cold_chunks_are_recompressed_under_running_readers_and_an_index_read_before_the_switch_still_reads()
    {
        var text = StorageHost.Text(3 << 20, 21);
        var noise = StorageHost.RandomBytes(600_000, 22);
        var fresh = StorageHost.Text(400_000, 23);
        var cold = await Host.WriteAsync(text);
        var incompressible = await Host.WriteAsync(noise);
        var young = await Host.WriteAsync(fresh);
        foreach (var (blob, owner) in new[] { (cold, "cold"), (incompressible, "noise"), (young, "young") })
            await Host.ReferenceAsync(blob.Sha256, owner);
        var chunksOf = (string sha) => Host.WithScopeAsync(sp => sp.GetRequiredService<CatalystDbContext>().Set<BlobChunk>()
            .Where(c => c.BlobSha256 == sha).Select(c => c.ChunkSha256).Distinct().ToListAsync());
        var coldChunks = (await chunksOf(cold.Sha256)).Concat(await chunksOf(incompressible.Sha256)).ToList();
        var youngChunks = await chunksOf(young.Sha256);
        await Host.WithScopeAsync(sp => sp.GetRequiredService<CatalystDbContext>().Set<StoredChunk>().Where(c => coldChunks.Contains(c.Sha256))
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.CreatedAt, DateTime.UtcNow.AddDays(-8))));
        var inlineKeys = await Host.WithScopeAsync(sp => sp.GetRequiredService<CatalystDbContext>().Set<StoredChunk>()
            .Where(c => coldChunks.Contains(c.Sha256) && c.Codec == ChunkCodec.Lz4).Select(c => c.Sha256).ToListAsync());
        Assert.NotEmpty(inlineKeys);
        Assert.Equal(text, await Host.ReadAsync(cold.Sha256)); // the chunk index is now cached with the inline codecs
        var early = await Host.WithScopeAsync(sp => sp.GetRequiredService<ContentStore>().OpenReadAsync(cold.Sha256, None));
        var before = await Host.SummaryAsync();

        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            var reads = 0;
            while (!stop.IsCancellationRequested)
            {
                Assert.Equal(text, await Host.ReadAsync(cold.Sha256));
                reads++;
            }
            return reads;
        })).ToArray();
        var result = await Host.WithScopeAsync(sp => sp.GetRequiredService<ChunkRecompressor>().RunAsync(null, None));
        await stop.CancelAsync();
        Assert.All(await Task.WhenAll(readers), reads => Assert.True(reads > 0));

        Assert.True(result.Finished);
        Assert.Equal(coldChunks.Count, result.Considered);
        Assert.Equal(inlineKeys.Count, result.Recompressed);
        Assert.True(result.Skipped > 0, "the random chunks do not compress and are left as they are");
        Assert.True(result.StoredBytesAfter <= result.StoredBytesBefore * 0.9);
        var after = await Host.SummaryAsync();
        Assert.Equal(before.PhysicalBytes - result.BytesSaved, after.PhysicalBytes);
        var brotli = Assert.Single(after.Codecs, c => c.Codec == ChunkCodec.Brotli);
        Assert.Equal(inlineKeys.Count, brotli.Chunks);
        Assert.True(brotli.Saved > 0);
        var youngCodecs = await Host.WithScopeAsync(sp => sp.GetRequiredService<CatalystDbContext>().Set<StoredChunk>()
            .Where(c => youngChunks.Contains(c.Sha256)).Select(c => new { c.Codec, c.ColdCheckedAt }).ToListAsync());
        Assert.All(youngCodecs, c => Assert.True(c.Codec != ChunkCodec.Brotli && c.ColdCheckedAt is null));
        Assert.Equal(0, (await Host.WithScopeAsync(sp => sp.GetRequiredService<ChunkRecompressor>().RunAsync(null, None))).Considered);

        // The inline bytes are dead now: collection prunes the packs they were in, and readers holding
        // the old index (the cache, a stream opened before the switch) find the chunks' new place.
        await Task.Delay(1100); // past the zero grace on the store's own clock, which may keep modification times to the second
        var collected = await Host.CollectAsync();
        Assert.True(collected.PacksDeleted >= 1);
        var places = await Host.WithScopeAsync(sp => sp.GetRequiredService<CatalystDbContext>().Set<StoredChunk>()
            .Where(c => inlineKeys.Contains(c.Sha256)).Select(c => new { c.Codec, c.PackId }).ToListAsync());
        Assert.All(places, p => Assert.Equal(ChunkCodec.Brotli, p.Codec));
        foreach (var pack in places.Select(p => p.PackId).Distinct())
            Assert.True(await Store.ExistsAsync(StorageKeys.Pack(pack!), None));
        Assert.Equal(text, await Host.ReadAsync(cold.Sha256));
        await using (early)
        {
            early!.Seek(text.Length / 2, SeekOrigin.Begin);
            var half = new MemoryStream();
            await early.CopyToAsync(half);
            Assert.Equal(text[(text.Length / 2)..], half.ToArray());
        }
        Assert.Equal(noise, await Host.ReadAsync(incompressible.Sha256));
        Assert.True((await Host.WithScopeAsync(sp => sp.GetRequiredService<StorageVerifier>().VerifyAsync(false, true, null, None))).Healthy);
    }

    private async Task<List<BlobStoreItem>> ListAsync()
    {
        var items = new List<BlobStoreItem>();
        await foreach (var item in Store.ListAsync(None))
            items.Add(item);
        return items;
    }
}

public sealed class FileSystemBlobStoreContractTests : BlobStoreContract
{
    protected override string Provider => StorageProviders.FileSystem;

    protected override async Task InterruptedWriteAsync(string key, byte[] data)
    {
        // The store writes a temporary file beside the final name and renames it into place: the
        // process died before the rename.
        var path = ((FileSystemBlobStore)Store).PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path + ".0badf00d.tmp", data[..(data.Length / 2)]);
    }
}

public sealed class DatabaseBlobStoreContractTests : BlobStoreContract
{
    protected override string Provider => StorageProviders.Database;

    protected override async Task InterruptedWriteAsync(string key, byte[] data)
    {
        // The row was sent but the transaction never committed.
        await Host.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<CatalystDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync();
            db.Set<ChunkData>().Add(new ChunkData { Key = key, Data = data, LastModified = DateTime.UtcNow });
            await db.SaveChangesAsync();
        });
    }
}

public sealed class AzureBlobStoreContractTests(AzuriteFixture azurite) : BlobStoreContract
{
    protected override string Provider => StorageProviders.AzureBlob;

    protected override async Task<IReadOnlyDictionary<string, string?>> SettingsAsync() => new Dictionary<string, string?>
    {
        ["Storage:AzureBlob:ConnectionString"] = await azurite.ConnectionStringAsync(),
        ["Storage:AzureBlob:ContainerName"] = AzuriteFixture.NewContainerName("contract"),
    };

    protected override async Task InterruptedWriteAsync(string key, byte[] data)
    {
        // Blocks staged but the block list never committed: nothing under the name yet.
        var store = (AzureBlobStore)Store;
        await store.CheckHealthAsync(CancellationToken.None); // creates the container
        var blob = new Azure.Storage.Blobs.BlobContainerClient(await azurite.ConnectionStringAsync(), store.ContainerName)
            .GetBlockBlobClient("chunks/" + key);
        await blob.StageBlockAsync(Convert.ToBase64String(new byte[16]), new MemoryStream(data[..(data.Length / 2)]));
    }

    [Fact]
    public async Task An_unreachable_account_fails_the_health_check()
    {
        var store = new AzureBlobStore(
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + Convert.ToBase64String(new byte[64]) + ";BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;",
            "unreachable");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await Assert.ThrowsAnyAsync<Exception>(() => store.CheckHealthAsync(cts.Token));
    }
}
