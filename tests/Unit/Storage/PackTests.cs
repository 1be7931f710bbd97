using Catalyst.Data;
using Catalyst.Data.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Storage;

/// <summary>The pack layout's maintenance: pruning reclaims dead bytes, repack moves a store from one object per chunk into packs.</summary>
public class PackTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public void A_pack_trailer_reads_back_its_entries_and_a_damaged_one_is_refused_not_trusted()
    {
        var entries = new List<PackEntry>
        {
            new(new string('a', 64), ChunkCodec.Lz4, 70_000, 40_000, PackFormat.HeaderLength),
            new(new string('b', 64), ChunkCodec.None, 20_000, 20_000, PackFormat.HeaderLength + 40_000),
        };
        var trailer = PackFormat.Trailer(entries);
        var packLength = PackFormat.HeaderLength + 60_000L + trailer.Length;
        var footer = trailer.AsSpan(trailer.Length - PackFormat.FooterLength);

        var length = PackFormat.TrailerLength(footer, packLength);
        Assert.Equal(entries, PackFormat.ParseEntries(trailer.AsSpan(0, length), packLength));

        var wrongMagic = footer.ToArray();
        wrongMagic[^1] ^= 1;
        Assert.Throws<InvalidDataException>(() => PackFormat.TrailerLength(wrongMagic, packLength));
        var hugeCount = footer.ToArray();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(hugeCount, int.MaxValue / 2);
        Assert.Throws<InvalidDataException>(() => PackFormat.TrailerLength(hugeCount, packLength));
        // An entry pointing past the chunk area (a pack cut short, or a forged trailer).
        Assert.Throws<InvalidDataException>(() => PackFormat.ParseEntries(trailer.AsSpan(0, length), packLength - 30_000));
    }

    [Fact]
    public async Task Pruning_rewrites_a_pack_whose_chunks_are_mostly_dead_and_reclaims_nearly_all_its_dead_bytes()
    {
        await using var host = await StorageHost.StartAsync(grace: TimeSpan.Zero);
        var whole = StorageHost.RandomBytes(4 << 20, 71);
        var first = await host.WriteAsync(whole);
        var quarter = whole[..(1 << 20)]; // shares its chunks with the start of the first blob's pack
        var kept = await host.WriteAsync(quarter);
        await host.ReferenceAsync(first.Sha256, "first");
        await host.ReferenceAsync(kept.Sha256, "kept");
        await host.UnreferenceAsync("first");
        var before = (await host.SummaryAsync()).Packs!;
        var dead = before.PackBytes - quarter.Length; // once the first blob and its own chunks are gone

        await Task.Delay(50);
        var result = await host.CollectAsync();

        var after = (await host.SummaryAsync()).Packs!;
        Assert.Equal(1, result.BlobsDeleted);
        Assert.True(result.PacksRewritten >= 1, $"the first blob's pack was a quarter live: {result}");
        Assert.True(after.DeadBytes <= dead / 10, $"dead bytes after pruning: {after.DeadBytes} of {dead}");
        Assert.Equal(quarter, await host.ReadAsync(kept.Sha256));
        Assert.True((await host.WithScopeAsync(sp => sp.GetRequiredService<StorageVerifier>().VerifyAsync(false, true, null, None))).Healthy);
    }

    [Theory]
    [InlineData(StorageProviders.FileSystem)]
    [InlineData(StorageProviders.Database)]
    public async Task Repack_moves_loose_chunks_into_packs_checking_each_and_deletes_the_loose_objects(string provider)
    {
        await using var host = await StorageHost.StartAsync(provider);
        var data = StorageHost.Text(3 << 20, 72);
        var blob = await host.WriteAsync(data);
        var loose = await UnpackAsync(host);
        Assert.All(loose, key => Assert.True(host.BlobStore.ExistsAsync(key, None).Result));

        var result = await host.WithScopeAsync(sp => sp.GetRequiredService<Repacker>().RepackAsync(null, None));

        Assert.True(result.Finished);
        Assert.Equal(loose.Count, result.Chunks);
        var rows = await host.WithScopeAsync(sp => sp.GetRequiredService<CatalystDbContext>().Set<StoredChunk>().AsNoTracking().ToListAsync());
        Assert.All(rows, r => Assert.NotNull(r.PackId));
        foreach (var key in loose)
            Assert.False(await host.BlobStore.ExistsAsync(key, None));
        Assert.Equal(data, await host.ReadAsync(blob.Sha256));
        Assert.True((await host.WithScopeAsync(sp => sp.GetRequiredService<StorageVerifier>().VerifyAsync(false, true, null, None))).Healthy);
        Assert.Equal(0, (await host.WithScopeAsync(sp => sp.GetRequiredService<Repacker>().RepackAsync(null, None))).Chunks);
    }

    [Fact]
    public async Task Repack_leaves_a_damaged_loose_chunk_where_it_is_and_says_so()
    {
        await using var host = await StorageHost.StartAsync();
        await host.WriteAsync(StorageHost.RandomBytes(1 << 20, 73));
        var loose = await UnpackAsync(host);
        var damaged = ((FileSystemBlobStore)host.BlobStore).PathOf(loose[0]);
        var bytes = await File.ReadAllBytesAsync(damaged);
        bytes[10] ^= 0xFF;
        await File.WriteAllBytesAsync(damaged, bytes);

        var result = await host.WithScopeAsync(sp => sp.GetRequiredService<Repacker>().RepackAsync(null, None));

        Assert.False(result.Finished);
        Assert.Equal(1, result.Problems);
        Assert.Equal(loose.Count - 1, result.Chunks);
        Assert.Null(await host.WithScopeAsync(sp => sp.GetRequiredService<CatalystDbContext>().Set<StoredChunk>()
            .Where(c => c.Sha256 == loose[0]).Select(c => c.PackId).SingleAsync()));
    }

    /// <summary>Turns the store into the layout before packs: every chunk a loose object of its own, the packs gone.</summary>
    private static Task<List<string>> UnpackAsync(StorageHost host) => host.WithScopeAsync(async sp =>
    {
        var db = sp.GetRequiredService<CatalystDbContext>();
        var store = sp.GetRequiredService<IBlobStore>();
        var keys = new List<string>();
        foreach (var chunk in await db.Set<StoredChunk>().AsNoTracking().ToListAsync())
        {
            var stored = await StoredBytes.ReadAsync(store, chunk, None) ?? throw new InvalidOperationException("unreadable chunk");
            var key = StorageKeys.For(chunk.Sha256, chunk.Codec);
            await store.EnsureAsync(key, stored, None);
            keys.Add(key);
        }
        await db.Set<StoredChunk>().ExecuteUpdateAsync(s => s.SetProperty(c => c.PackId, (string?)null).SetProperty(c => c.PackOffset, 0));
        foreach (var pack in await db.Set<StoredPack>().Select(p => p.Id).ToListAsync())
            await store.DeleteIfStaleAsync(StorageKeys.Pack(pack), DateTime.UtcNow.AddDays(1), None);
        await db.Set<StoredPack>().ExecuteDeleteAsync();
        return keys;
    });
}
