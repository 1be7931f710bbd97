using System.Security.Cryptography;
using Catalyst.Data;
using Catalyst.Data.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Storage;

/// <summary>
/// <see cref="ContentStore.OpenWriter"/>: bytes pushed by a producer are stored whole, and a producer
/// or store that stops half-way leaves no blob behind (only unreferenced chunks, for the collector).
/// </summary>
public class BlobWriterTests
{
    private const int Buffered = 256 << 10;

    [Fact]
    public async Task Bytes_pushed_in_pieces_and_through_the_stream_are_stored_as_one_blob()
    {
        await using var host = await StorageHost.StartAsync();
        var content = StorageHost.RandomBytes(3 << 20, 11);

        var blob = await host.WithScopeAsync(async sp =>
        {
            await using var writer = sp.GetRequiredService<ContentStore>().OpenWriter(Buffered, CancellationToken.None);
            var half = content.Length / 2;
            for (var at = 0; at < half; at += 50_000)
                await writer.WriteAsync(content.AsMemory(at, Math.Min(50_000, half - at)), CancellationToken.None);
            await writer.Stream.WriteAsync(content.AsMemory(half));
            return await writer.CompleteAsync();
        });

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), blob.Sha256);
        Assert.Equal(content.Length, blob.Length);
        Assert.Equal(content, await host.ReadAsync(blob.Sha256));
    }

    [Fact]
    public async Task A_writer_disposed_without_completing_stores_no_blob()
    {
        await using var host = await StorageHost.StartAsync();

        await host.WithScopeAsync(async sp =>
        {
            await using var writer = sp.GetRequiredService<ContentStore>().OpenWriter(Buffered, CancellationToken.None);
            await writer.WriteAsync(StorageHost.RandomBytes(1 << 20, 12), CancellationToken.None);
            // The producer fails here: the using disposes the writer without CompleteAsync.
        });

        Assert.Equal(0, await BlobCountAsync(host));
    }

    [Fact]
    public async Task A_writer_aborted_with_a_reason_stores_no_blob_and_a_later_complete_does_not_store_one_either()
    {
        await using var host = await StorageHost.StartAsync();

        await host.WithScopeAsync(async sp =>
        {
            await using var writer = sp.GetRequiredService<ContentStore>().OpenWriter(Buffered, CancellationToken.None);
            await writer.WriteAsync(StorageHost.RandomBytes(600_000, 13), CancellationToken.None);
            await writer.AbortAsync(new InvalidDataException("the producer's input was malformed"));
            await Assert.ThrowsAnyAsync<Exception>(() => writer.CompleteAsync());
        });

        Assert.Equal(0, await BlobCountAsync(host));
    }

    [Fact]
    public async Task A_store_that_stops_fails_the_producers_next_write_instead_of_leaving_it_waiting()
    {
        await using var host = await StorageHost.StartAsync();
        using var storeStops = new CancellationTokenSource();

        var failure = await host.WithScopeAsync(async sp =>
        {
            await using var writer = sp.GetRequiredService<ContentStore>().OpenWriter(Buffered, storeStops.Token);
            var piece = StorageHost.RandomBytes(64 << 10, 14);
            await writer.WriteAsync(piece, CancellationToken.None);
            await storeStops.CancelAsync();
            // Writes fill the bounded pipe and then fail with the store's error; without it they would wait forever.
            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            return await Record.ExceptionAsync(async () =>
            {
                for (var i = 0; i < 1000; i++)
                    await writer.WriteAsync(piece, guard.Token);
            });
        });

        Assert.IsAssignableFrom<OperationCanceledException>(failure);
        Assert.Equal(0, await BlobCountAsync(host));
    }

    private static Task<int> BlobCountAsync(StorageHost host) =>
        host.WithScopeAsync(sp => sp.GetRequiredService<CatalystDbContext>().Set<StoredBlob>().CountAsync());
}
