using System.Text.Json;
using Catalyst.Data.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Workers.Commands;

/// <summary><c>verify-storage [--rebuild] [--deep]</c> and <c>gc-storage</c>: the Storage page's jobs from the command line.</summary>
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
