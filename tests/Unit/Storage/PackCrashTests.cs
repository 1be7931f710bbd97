using Catalyst.Data.Storage;
using Catalyst.Tests.Support;

namespace Catalyst.Tests.Unit.Storage;

/// <summary>A worker killed (no shutdown) while garbage collection rewrites packs leaves a store that verifies clean and serves every blob.</summary>
public class PackCrashTests
{
    [Fact]
    public async Task Gc_storage_killed_while_it_rewrites_packs_leaves_every_blob_readable_and_verify_storage_deep_clean()
    {
        var written = new List<(BlobInfo Blob, byte[] Data)>();
        string dataDirectory;
        await using (var host = await StorageHost.StartAsync(grace: TimeSpan.Zero, keepDirectory: true))
        {
            dataDirectory = host.DataDirectory;
            // A pack per small blob: all of them are small packs for the collector to merge.
            for (var i = 0; i < 300; i++)
            {
                var data = StorageHost.RandomBytes(96 << 10, 1000 + i);
                var blob = await host.WriteAsync(data);
                await host.ReferenceAsync(blob.Sha256, $"blob-{i}");
                written.Add((blob, data));
            }
        }
        var environment = new Dictionary<string, string>
        {
            ["Catalyst__DataDirectory"] = dataDirectory,
            ["Storage__GarbageCollectionGrace"] = "00:00:00",
        };

        using (var gc = WorkersProcess.Start(["gc-storage"], environment))
            await gc.WaitForAsync(output => output.Contains("packs rewritten", StringComparison.Ordinal));
        // Disposing killed it (if it had not finished): whatever it was doing stopped there.

        var (code, output, error) = await WorkersProcess.RunAsync(["verify-storage", "--deep"], environment, TimeSpan.FromMinutes(3));
        Assert.True(code == 0, $"verify-storage --deep exited {code}:\n{output}\n{error}");
        var (again, againOut, againErr) = await WorkersProcess.RunAsync(["gc-storage"], environment, TimeSpan.FromMinutes(3));
        Assert.True(again == 0, againOut + againErr);
        await using var after = await StorageHost.StartAsync(dataDirectory: dataDirectory);
        foreach (var (blob, data) in written)
            Assert.Equal(data, await after.ReadAsync(blob.Sha256));
        var (last, lastOut, lastErr) = await WorkersProcess.RunAsync(["verify-storage", "--deep"], environment, TimeSpan.FromMinutes(3));
        Assert.True(last == 0, $"verify-storage --deep after a full collection exited {last}:\n{lastOut}\n{lastErr}");
    }
}
