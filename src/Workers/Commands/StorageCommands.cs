using System.Text.Json;
using Catalyst.Data.Configuration;
using Catalyst.Data.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Catalyst.Workers.Commands;

/// <summary>
/// <c>verify-storage [--rebuild] [--deep]</c>, <c>gc-storage</c>, <c>rebuild-index</c> (the chunk
/// index from the packs' trailers) and <c>repack</c> (loose chunks into packs): the Storage page's
/// jobs and the pack layout's tools from the command line.
/// </summary>
public static class StorageCommands
{
    private static readonly JsonSerializerOptions Pretty = new(JsonSerializerOptions.Web) { WriteIndented = true };

    public static async Task<int> VerifyAsync(IServiceProvider services, string[] args, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var verifier = scope.ServiceProvider.GetRequiredService<StorageVerifier>();
        var progress = new ConsoleProgress("Verifying");
        var result = await verifier.VerifyAsync(args.Contains("--rebuild"), args.Contains("--deep"), progress, ct);
        progress.Done();
        await Console.Out.WriteLineAsync(JsonSerializer.Serialize(result, Pretty));
        return result.Healthy || (args.Contains("--rebuild") && result.Problems.Count == result.CountsRebuilt) ? 0 : 3;
    }

    public static async Task<int> RebuildIndexAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var progress = new ConsoleProgress("Reading packs");
        var result = await scope.ServiceProvider.GetRequiredService<PackIndexRebuilder>().RebuildAsync(progress, ct);
        progress.Done();
        await Console.Out.WriteLineAsync(JsonSerializer.Serialize(result, Pretty));
        return result.Problems.Count == 0 ? 0 : 3;
    }

    public static async Task<int> RepackAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var progress = new ConsoleProgress("Repacking");
        var result = await scope.ServiceProvider.GetRequiredService<Repacker>().RepackAsync(progress, ct);
        progress.Done();
        await Console.Out.WriteLineAsync(JsonSerializer.Serialize(result, Pretty));
        return result.Finished ? 0 : 3;
    }

    public static async Task<int> CollectAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<StorageGarbageCollector>()
            .CollectAsync(new Progress<string>(text => Console.Error.Write($"\r{text}   ")), ct);
        await Console.Error.WriteLineAsync();
        await Console.Out.WriteLineAsync(JsonSerializer.Serialize(result, Pretty));
        return 0;
    }
}

/// <summary>A one-line progress bar on stderr (stdout stays machine-readable).</summary>
public sealed class ConsoleProgress(string label) : IProgress<(long Done, long Total)>
{
    private DateTime _last = DateTime.MinValue;

    public void Report((long Done, long Total) value)
    {
        var now = DateTime.UtcNow;
        if (now - _last < TimeSpan.FromMilliseconds(100) && value.Done < value.Total)
            return;
        _last = now;
        const int width = 30;
        var fraction = value.Total == 0 ? 1 : (double)value.Done / value.Total;
        var filled = (int)Math.Round(fraction * width);
        Console.Error.Write($"\r{label} [{new string('#', filled)}{new string('.', width - filled)}] {value.Done}/{value.Total}");
    }

    public void Done() => Console.Error.WriteLine();
}

/// <summary>
/// <c>copy-store --Target:Provider=AzureBlob --Target:AzureBlob:ConnectionString=… [--Target:AzureBlob:ContainerName=…] [--verify-existing]</c>:
/// copies every chunk from the configured store to the target store (section <c>Target</c>, shaped
/// like <c>Storage</c>), verifying hashes on both sides; run it again to resume. Then point
/// <c>Storage</c> at the target.
/// </summary>
public static class CopyStoreCommand
{
    private static readonly JsonSerializerOptions Pretty = new(JsonSerializerOptions.Web) { WriteIndented = true };

    public static async Task<int> RunAsync(IServiceProvider services, IConfiguration configuration, string contentRoot, bool verifyExisting, CancellationToken ct)
    {
        var target = new StorageOptions();
        configuration.GetSection("Target").Bind(target);
        if (configuration.GetSection("Target").GetChildren().All(c => c.Key != nameof(StorageOptions.Provider)))
        {
            await Console.Error.WriteLineAsync("copy-store needs a target: --Target:Provider=AzureBlob --Target:AzureBlob:ConnectionString=\"…\" (or FileSystem with --Target:FileSystemPath=…, or Database).");
            return 2;
        }
        var validation = new StorageOptionsValidator().Validate(null, target);
        if (validation.Failed)
        {
            await Console.Error.WriteLineAsync("Configuration error: " + string.Join(" ", validation.Failures.Select(f => f.Replace("Storage:", "Target:", StringComparison.Ordinal))));
            return 1;
        }
        var source = services.GetRequiredService<IBlobStore>();
        var sourceOptions = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        if (BlobStores.Describe(sourceOptions) == BlobStores.Describe(target) && target.Provider != StorageProviders.FileSystem)
        {
            await Console.Error.WriteLineAsync("The target is the configured store itself.");
            return 2;
        }
        var destination = BlobStores.Create(target, services, contentRoot);
        await destination.CheckHealthAsync(ct);

        await using var scope = services.CreateAsyncScope();
        var paths = scope.ServiceProvider.GetRequiredService<CatalystPaths>();
        var name = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(BlobStores.Describe(target))))[..12];
        var checkpoint = Path.Combine(paths.DataDirectory, $"copy-store-{name}.checkpoint");
        await Console.Error.WriteLineAsync($"Copying from {BlobStores.Describe(sourceOptions)} to {BlobStores.Describe(target)} (checkpoint {checkpoint})");
        var progress = new ConsoleProgress("Copying");
        var result = await scope.ServiceProvider.GetRequiredService<StoreCopier>().CopyAsync(source, destination, checkpoint, verifyExisting, progress, ct);
        progress.Done();
        await Console.Out.WriteLineAsync(JsonSerializer.Serialize(result, Pretty));
        return result.Complete ? 0 : 3;
    }
}
