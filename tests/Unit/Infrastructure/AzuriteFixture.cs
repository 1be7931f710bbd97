using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;

namespace Catalyst.Tests.Unit.Infrastructure;

/// <summary>
/// Azurite (Microsoft's Azure Storage emulator, the npm package pinned in tests/azurite) for the
/// whole test assembly: started on first use on a free loopback port with a temporary folder and
/// telemetry off, stopped when the assembly's tests are done. Tests isolate themselves with a
/// container each (<see cref="NewContainerName"/>).
/// </summary>
public sealed partial class AzuriteFixture : IAsyncDisposable
{
    /// <summary>Azurite's fixed development account (public, documented by Microsoft).</summary>
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly StringBuilder _output = new();
    private Process? _process;
    private string? _workspace;

    public static string PackageFolder => Path.Combine(RepositoryPaths.Root, "tests", "azurite");

    /// <summary>The connection string of the running emulator (started on first call).</summary>
    public async Task<string> ConnectionStringAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_process is null || _process.HasExited)
                await StartAsync();
            return ConnectionString!;
        }
        finally
        {
            _gate.Release();
        }
    }

    private string? ConnectionString { get; set; }

    public static string NewContainerName(string prefix = "t") => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 33)];

    public async Task<BlobContainerClient> NewContainerAsync(string prefix = "t") =>
        new(await ConnectionStringAsync(), NewContainerName(prefix));

    private async Task StartAsync()
    {
        var main = Path.Combine(PackageFolder, "node_modules", "azurite", "dist", "src", "blob", "main.js");
        if (!File.Exists(main))
            await RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], PackageFolder, TimeSpan.FromMinutes(5));
        _workspace = Directory.CreateTempSubdirectory("catalyst-azurite-").FullName;
        var start = new ProcessStartInfo("node", [main, "--blobHost", "127.0.0.1", "--blobPort", "0", "--location", _workspace,
            "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start Azurite.");
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (_output) _output.AppendLine(e.Data);
            if (ListeningLine().Match(e.Data) is { Success: true } m)
                listening.TrySetResult(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("Azurite exited: " + Output));
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var port = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
    }

    public string Output { get { lock (_output) return _output.ToString(); } }

    private static async Task RunAsync(string file, string[] arguments, string directory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file, arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await stdout}{await stderr}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        _process?.Dispose();
        if (_workspace is not null)
        {
            try { Directory.Delete(_workspace, recursive: true); } catch (IOException) { }
        }
        _gate.Dispose();
    }

    [GeneratedRegex(@"successfully listens on https?://[^:]+:(\d+)")]
    private static partial Regex ListeningLine();
}
