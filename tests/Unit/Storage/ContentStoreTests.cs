using System.Security.Cryptography;
using Catalyst.Data;
using Catalyst.Data.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Storage;

public class ContentStoreTests
{
    [Theory]
    [InlineData(StorageProviders.FileSystem)]
    [InlineData(StorageProviders.Database)]
    public async Task A_blob_reads_back_byte_for_byte_and_is_named_by_its_sha256(string provider)
    {
        await using var host = await StorageHost.StartAsync(provider);
        var content = StorageHost.RandomBytes(3 << 20, 1);

        var blob = await host.WriteAsync(content);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), blob.Sha256);
        Assert.Equal(content.Length, blob.Length);
        Assert.Equal(content, await host.ReadAsync(blob.Sha256));
    }

    [Fact]
    public async Task The_same_content_written_twice_is_stored_once()
    {
        await using var host = await StorageHost.StartAsync();
        var content = StorageHost.RandomBytes(2 << 20, 2);
        var first = await host.WriteAsync(content);
        await host.ReferenceAsync(first.Sha256, "a");
        var physical = (await host.SummaryAsync()).PhysicalBytes;

        var second = await host.WriteAsync(content.ToArray());
        await host.ReferenceAsync(second.Sha256, "b");

        var summary = await host.SummaryAsync();
        Assert.Equal(first.Sha256, second.Sha256);
        Assert.Equal(physical, summary.PhysicalBytes);
        Assert.Equal(2L * content.Length, summary.LogicalBytes);
        Assert.Equal(1, summary.Blobs);
        Assert.True(summary.DeduplicationSavings >= content.Length);
    }

    [Fact]
    public async Task Compressible_chunks_are_stored_compressed_and_incompressible_ones_as_they_are()
    {
        await using var host = await StorageHost.StartAsync();
        var text = await host.WriteAsync(StorageHost.Text(1 << 20, 3));
        var noise = await host.WriteAsync(StorageHost.RandomBytes(1 << 20, 4));

        await host.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<CatalystDbContext>();
            async Task<List<StoredChunk>> ChunksOf(string sha) => await db.Set<BlobChunk>().Where(b => b.BlobSha256 == sha)
                .Join(db.Set<StoredChunk>(), b => b.ChunkSha256, c => c.Sha256, (b, c) => c).ToListAsync();
            Assert.All(await ChunksOf(text.Sha256), c => { Assert.Equal(ChunkCodec.Lz4, c.Codec); Assert.True(c.StoredLength <= c.Length * 0.9); });
            Assert.All(await ChunksOf(noise.Sha256), c => { Assert.Equal(ChunkCodec.None, c.Codec); Assert.Equal(c.Length, c.StoredLength); });
        });
        Assert.Equal(StorageHost.Text(1 << 20, 3), await host.ReadAsync(text.Sha256));
    }

    [Fact]
    public async Task Twenty_versions_with_small_edits_cost_little_more_than_one()
    {
        await using var host = await StorageHost.StartAsync();
        var document = StorageHost.Text(10 << 20, 5);
        var random = new Random(6);
        long firstVersion = 0;
        for (var version = 0; version < 20; version++)
        {
            if (version > 0)
            {
                // An edit of 1% of the document somewhere in it, with new content of the same kind.
                var edit = document.Length / 100;
                var at = random.Next(document.Length - edit);
                StorageHost.Text(edit, 1000 + version).CopyTo(document, at);
            }
            var blob = await host.WriteAsync(document);
            await host.ReferenceAsync(blob.Sha256, $"v{version}");
            if (version == 0)
                firstVersion = (await host.SummaryAsync()).PhysicalBytes;
        }
        var summary = await host.SummaryAsync();
        Assert.Equal(20L * document.Length, summary.LogicalBytes);
        Assert.True(summary.PhysicalBytes < 2 * firstVersion, $"20 versions take {summary.PhysicalBytes} physical bytes; one took {firstVersion}");
    }

    [Fact]
    public async Task Reads_seek_through_the_chunk_index()
    {
        await using var host = await StorageHost.StartAsync();
        var content = StorageHost.RandomBytes(5 << 20, 7);
        var blob = await host.WriteAsync(content);
        await host.WithScopeAsync(async sp =>
        {
            await using var stream = (await sp.GetRequiredService<ContentStore>().OpenReadAsync(blob.Sha256, CancellationToken.None))!;
            Assert.True(stream.CanSeek);
            foreach (var offset in new long[] { 0, 1, 65535, 1 << 20, content.Length - 1, 3_000_001 })
            {
                stream.Position = offset;
                var buffer = new byte[Math.Min(100_000, content.Length - (int)offset)];
                await stream.ReadExactlyAsync(buffer);
                Assert.Equal(content.AsSpan((int)offset, buffer.Length).ToArray(), buffer);
            }
            stream.Seek(0, SeekOrigin.End);
            Assert.Equal(0, await stream.ReadAsync(new byte[10]));
        });
    }

    [Fact]
    public async Task An_empty_payload_is_a_blob_too()
    {
        await using var host = await StorageHost.StartAsync();
        var blob = await host.WriteAsync([]);
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", blob.Sha256);
        Assert.Empty(await host.ReadAsync(blob.Sha256));
    }
}
