using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Catalyst.Bench.Scenarios;

/// <summary>
/// Shared plumbing of the storage scenarios (SPEC §15: uploads, ranged downloads, versions,
/// memory, website data, export/import): test files, the Node side (tus-js-client and the
/// official Node tus server), the server's working set, and a report shape for throughput.
/// </summary>
public static class StorageBench
{
    public const int MiB = 1 << 20;
    public static string NodeDirectory => Path.Combine(RepositoryPaths.Root, "tests", "Bench", "node");

    /// <summary>A file of random bytes (incompressible: the worst case for the store's CPU).</summary>
    public static string RandomFile(long bytes, string name)
    {
        var path = Path.Combine(Path.GetTempPath(), "catalyst-bench-files", name);
        if (File.Exists(path) && new FileInfo(path).Length == bytes)
            return path;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var file = File.Create(path);
        var buffer = new byte[MiB];
        for (long written = 0; written < bytes; written += buffer.Length)
        {
            RandomNumberGenerator.Fill(buffer);
            file.Write(buffer, 0, (int)Math.Min(buffer.Length, bytes - written));
        }
        return path;
    }

    /// <summary>Installs the Node side from its lockfile when missing (the bench is run by hand, not by CI).</summary>
    public static async Task EnsureNodeAsync(CancellationToken ct)
    {
        if (Directory.Exists(Path.Combine(NodeDirectory, "node_modules", "tus-js-client")))
            return;
        Console.WriteLine("  npm ci (tests/Bench/node)");
        var (code, _, error) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], NodeDirectory, ct);
        if (code != 0)
            throw new InvalidOperationException("npm ci failed: " + error);
    }

    /// <summary>One upload with tus-js-client; the seconds it took.</summary>
    public static async Task<double> TusUploadAsync(string endpoint, string file, int chunkSize, string? token, CancellationToken ct)
    {
        List<string> args = ["upload.mjs", endpoint, file, chunkSize.ToString(CultureInfo.InvariantCulture)];
        if (token is not null) args.Add(token);
        var (code, output, error) = await RunAsync("node", args, NodeDirectory, ct);
        if (code != 0)
            throw new InvalidOperationException($"tus-js-client failed: {error}{output}");
        using var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        return result.RootElement.GetProperty("seconds").GetDouble();
    }

    public static async Task<(int Code, string Output, string Error)> RunAsync(string program, IEnumerable<string> args, string directory, CancellationToken ct)
    {
        var start = new ProcessStartInfo(program, args) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>Seconds <c>sha256sum</c> takes over the file: the cost of reading and hashing it once.</summary>
    public static async Task<double> Sha256SumSecondsAsync(string file, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var (code, _, error) = await RunAsync("sha256sum", [file], Path.GetTempPath(), ct);
        if (code != 0)
            throw new InvalidOperationException("sha256sum failed: " + error);
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>Samples a process's resident set every 50 ms while an action runs; the growth over the value before.</summary>
    public static async Task<(T Result, double GrowthMiB)> WithWorkingSetAsync<T>(int? processId, Func<Task<T>> action)
    {
        if (processId is not { } pid)
            return (await action(), double.NaN);
        var before = ResidentBytes(pid);
        long peak = before;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, ResidentBytes(pid));
                try { await Task.Delay(50, stop.Token); } catch (OperationCanceledException) { } // a sampling interval
            }
        });
        try
        {
            return (await action(), Math.Round((peak - before) / (double)MiB, 1));
        }
        finally
        {
            await stop.CancelAsync();
            await sampler;
        }
    }

    private static long ResidentBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        return 0;
    }

    /// <summary>A client for big transfers (no timeouts that a slow run would hit).</summary>
    public static HttpClient Client(Uri baseUrl, string? token)
    {
#pragma warning disable CA2000 // The client owns and disposes its handler.
        var http = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None, UseCookies = false })
#pragma warning restore CA2000
        {
            BaseAddress = baseUrl,
            Timeout = TimeSpan.FromMinutes(10),
        };
        if (token is not null)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>Reads the whole body, counting bytes, without keeping it.</summary>
    public static async Task<long> DrainAsync(HttpResponseMessage response, CancellationToken ct)
    {
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[MiB];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, ct)) > 0)
            total += read;
        return total;
    }

    /// <summary>The report of a throughput scenario: each measured operation's duration as the latency figures.</summary>
    public static ScenarioReport Report(string name, string description, IReadOnlyDictionary<string, object> parameters,
        IReadOnlyList<double> catalystSeconds, IReadOnlyList<double>? baselineSeconds, IReadOnlyDictionary<string, double?> figures,
        IReadOnlyList<TargetCheck> targets, IReadOnlyList<string> notes)
    {
        static LoadResult Summarize(IReadOnlyList<double> seconds)
        {
            var sorted = seconds.Select(s => s * 1000).Order().ToArray();
            double At(double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
            return new LoadResult(1, sorted.Sum() / 1000, sorted.Length, 0, sorted.Length / (sorted.Sum() / 1000), Math.Round(At(0.5), 1), Math.Round(At(0.95), 1),
                Math.Round(At(0.99), 1), Math.Round(sorted[^1], 1), Math.Round(sorted.Average(), 1), []);
        }
        return new ScenarioReport(name, description, parameters, Summarize(catalystSeconds), baselineSeconds is { Count: > 0 } ? Summarize(baselineSeconds) : null,
            figures, new Dictionary<string, double>(), targets, targets.All(t => t.Passed), [], notes);
    }

    public static double Mibps(long bytes, double seconds) => Math.Round(bytes / (double)MiB / seconds, 1);
}
