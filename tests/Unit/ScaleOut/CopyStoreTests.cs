using System.Text.Json;
using Catalyst.Data;
using Catalyst.Data.Configuration;
using Catalyst.Data.Storage;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Tests.Unit.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.ScaleOut;

/// <summary>Moving a FileSystem store to Azure (Azurite): every pack across, each chunk hash-checked, resumable, and the result served by an AzureBlob host.</summary>
public class CopyStoreTests(AzuriteFixture azurite)
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_copy_stopped_half_way_resumes_and_the_target_then_serves_every_blob()
    {
        // Small packs, so that the copy takes more than one page of them.
        await using var source = await StorageHost.StartAsync(settings: new Dictionary<string, string?> { ["Storage:PackBytes"] = "262144" });
        var noise = StorageHost.RandomBytes(24 << 20, 31);
        var text = StorageHost.Text(2 << 20, 32);
        var blobs = new[] { await source.WriteAsync(noise), await source.WriteAsync(text) };
        var container = AzuriteFixture.NewContainerName("copy");
        var target = new AzureBlobStore(await azurite.ConnectionStringAsync(), container);
        var checkpoint = Path.Combine(source.DataDirectory, "copy.checkpoint");
        var total = await source.WithScopeAsync(sp => sp.GetRequiredService<CatalystDbContext>().Set<StoredPack>().CountAsync());
        Assert.True(total > 64);

        // Stopped (Ctrl+C) after the first page.
        using (var stop = new CancellationTokenSource())
        {
            var progress = new StopAfter(stop, done => done > 0);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => source.WithScopeAsync(sp =>
                sp.GetRequiredService<StoreCopier>().CopyAsync(source.BlobStore, target, checkpoint, false, progress, stop.Token)));
        }
        Assert.True(File.Exists(checkpoint));
        var copiedFirst = await CountAsync(target);
        Assert.InRange(copiedFirst, 1, total - 1);

        var resumed = await source.WithScopeAsync(sp => sp.GetRequiredService<StoreCopier>().CopyAsync(source.BlobStore, target, checkpoint, false, null, None));
        Assert.True(resumed.Resumed);
        Assert.True(resumed.Complete, string.Join("; ", resumed.Problems));
        Assert.Equal(total - copiedFirst, resumed.Copied);
        Assert.Equal(total, await CountAsync(target));
        Assert.False(File.Exists(checkpoint));

        // A second run finds everything there and copies nothing.
        var again = await source.WithScopeAsync(sp => sp.GetRequiredService<StoreCopier>().CopyAsync(source.BlobStore, target, checkpoint, true, null, None));
        Assert.Equal((0, total), (again.Copied, again.AlreadyPresent));

        // The same database over the Azure container: every blob reads back and deep verification is clean.
        await using var moved = await StorageHost.StartAsync(StorageProviders.AzureBlob, settings: new Dictionary<string, string?>
        {
            ["ConnectionStrings:Catalyst"] = $"Data Source={Path.Combine(source.DataDirectory, "catalyst.db")}",
            ["Storage:AzureBlob:ConnectionString"] = await azurite.ConnectionStringAsync(),
            ["Storage:AzureBlob:ContainerName"] = container,
        });
        Assert.Equal(noise, await moved.ReadAsync(blobs[0].Sha256));
        Assert.Equal(text, await moved.ReadAsync(blobs[1].Sha256));
        var verification = await moved.WithScopeAsync(sp => sp.GetRequiredService<StorageVerifier>().VerifyAsync(false, true, null, None));
        Assert.True(verification.Healthy, string.Join("; ", verification.Problems));
    }

    [Fact]
    public async Task A_damaged_or_missing_source_chunk_is_reported_and_not_copied()
    {
        await using var source = await StorageHost.StartAsync(settings: new Dictionary<string, string?> { ["Storage:PackBytes"] = "65536" });
        await source.WriteAsync(StorageHost.RandomBytes(1 << 20, 41));
        var chunks = await source.WithScopeAsync(sp => sp.GetRequiredService<CatalystDbContext>().Set<StoredChunk>().OrderBy(c => c.Sha256).ToListAsync());
        var other = chunks.First(c => c.PackId != chunks[0].PackId);
        string[] keys = [chunks[0].Sha256, other.Sha256];
        var fileStore = (FileSystemBlobStore)source.BlobStore;
        var damaged = fileStore.PathOf(StorageKeys.Pack(chunks[0].PackId!));
        var bytes = await File.ReadAllBytesAsync(damaged);
        bytes[chunks[0].PackOffset + 100] ^= 0xFF;
        await File.WriteAllBytesAsync(damaged, bytes);
        File.Delete(fileStore.PathOf(StorageKeys.Pack(other.PackId!)));
        var objects = await source.WithScopeAsync(sp => sp.GetRequiredService<CatalystDbContext>().Set<StoredPack>().CountAsync());
        var target = new AzureBlobStore(await azurite.ConnectionStringAsync(), AzuriteFixture.NewContainerName("damaged"));

        var result = await source.WithScopeAsync(sp => sp.GetRequiredService<StoreCopier>().CopyAsync(
            source.BlobStore, target, Path.Combine(source.DataDirectory, "copy.checkpoint"), false, null, None));

        Assert.False(result.Complete);
        Assert.Contains(result.Problems, p => p.Contains(keys[0], StringComparison.Ordinal) && p.Contains("does not match its hash", StringComparison.Ordinal));
        Assert.Contains(result.Problems, p => p.Contains(keys[1], StringComparison.Ordinal) && p.Contains("missing", StringComparison.Ordinal));
        Assert.Equal(objects - 2, result.Copied);
        Assert.False(await target.ExistsAsync(StorageKeys.Pack(chunks[0].PackId!), None));
        Assert.False(await target.ExistsAsync(StorageKeys.Pack(other.PackId!), None));
    }

    [Fact]
    public async Task The_copy_store_command_copies_to_azure_and_refuses_without_a_target()
    {
        await using var source = await StorageHost.StartAsync();
        var data = StorageHost.Text(1 << 20, 51);
        await source.WriteAsync(data);
        var packs = await source.WithScopeAsync(sp => sp.GetRequiredService<CatalystDbContext>().Set<StoredPack>().CountAsync());
        var container = AzuriteFixture.NewContainerName("command");
        var environment = new Dictionary<string, string> { ["Catalyst__DataDirectory"] = source.DataDirectory };

        var (missing, _, missingError) = await WorkersProcess.RunAsync(["copy-store"], environment);
        Assert.Equal(2, missing);
        Assert.Contains("copy-store needs a target", missingError, StringComparison.Ordinal);

        var (bad, _, badError) = await WorkersProcess.RunAsync(["copy-store"], new Dictionary<string, string>(environment) { ["Target__Provider"] = "AzureBlob" });
        Assert.Equal(1, bad);
        Assert.Contains("Target:AzureBlob:ConnectionString is required", badError, StringComparison.Ordinal);

        var (code, output, error) = await WorkersProcess.RunAsync(["copy-store"], new Dictionary<string, string>(environment)
        {
            ["Target__Provider"] = "AzureBlob",
            ["Target__AzureBlob__ConnectionString"] = await azurite.ConnectionStringAsync(),
            ["Target__AzureBlob__ContainerName"] = container,
        });
        Assert.True(code == 0, output + error);
        var report = JsonDocument.Parse(output).RootElement;
        Assert.Equal(packs, report.GetProperty("copied").GetInt32());
        Assert.Equal(0, report.GetProperty("problems").GetArrayLength());
        Assert.DoesNotContain("AccountKey", output + error, StringComparison.Ordinal);
        Assert.Equal(packs, await CountAsync(new AzureBlobStore(await azurite.ConnectionStringAsync(), container)));
    }

    private static async Task<int> CountAsync(IBlobStore store)
    {
        var count = 0;
        await foreach (var _ in store.ListAsync(None))
            count++;
        return count;
    }

    private sealed class StopAfter(CancellationTokenSource stop, Func<long, bool> when) : IProgress<(long Done, long Total)>
    {
        public void Report((long Done, long Total) value)
        {
            if (when(value.Done))
                stop.Cancel();
        }
    }
}
