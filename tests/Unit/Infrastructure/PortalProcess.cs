using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Catalyst.Tests.Unit.Infrastructure;

/// <summary>
/// The built Portal (<c>src/Portal/bin/&lt;Configuration&gt;/net10.0/Catalyst.Portal.dll</c>) as a real
/// process on a free loopback port, for what only a real start-up shows: configuration
/// validation, the admin bootstrap's console output, Kestrel's own limits. Production environment
/// unless told otherwise; inherited Catalyst settings are removed so only the test's count.
/// </summary>
public sealed class PortalProcess : IAsyncDisposable
{
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Process _process;
    private readonly bool _ownsDataDirectory;

    private PortalProcess(IReadOnlyDictionary<string, string> environment, string? dataDirectory)
    {
        _ownsDataDirectory = dataDirectory is null;
        DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "catalyst-process-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDirectory);
        BaseUrl = $"http://127.0.0.1:{FreePort()}";

        var start = new ProcessStartInfo("dotnet", [PortalDll, "--urls", BaseUrl])
        {
            WorkingDirectory = Path.Combine(RepositoryPaths.Root, "src", "Portal"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var key in start.Environment.Keys.Where(k =>
                     k.StartsWith("Catalyst__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Database__", StringComparison.OrdinalIgnoreCase) ||
                     k.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Serilog__", StringComparison.OrdinalIgnoreCase) ||
                     k.StartsWith("Storage__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Jobs__", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["Catalyst__DataDirectory"] = DataDirectory;
        foreach (var (key, value) in environment)
            start.Environment[key] = value;

        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the Portal.");
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_stdout) _stdout.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The Portal's dll for the configuration the tests were built with (bin/&lt;Configuration&gt;/net10.0).</summary>
    public static string PortalDll
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            var dll = Path.Combine(RepositoryPaths.Root, "src", "Portal", "bin", configuration, "net10.0", "Catalyst.Portal.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("Build the solution first; the Portal was not found.", dll);
        }
    }

    public string BaseUrl { get; }
    public int ProcessId => _process.Id;
    public string DataDirectory { get; }
    public string StandardOutput { get { lock (_stdout) return _stdout.ToString(); } }
    public string StandardError { get { lock (_stderr) return _stderr.ToString(); } }

    /// <param name="dataDirectory">Reuse a data directory (a restart); otherwise a fresh one deleted on dispose.</param>
    public static PortalProcess Start(IReadOnlyDictionary<string, string>? environment = null, string? dataDirectory = null) =>
        new(environment ?? new Dictionary<string, string>(), dataDirectory);

    public HttpClient CreateClient() => new() { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Polls <c>/health/ready</c> until it answers 200; fails with the process output if it exits or takes too long.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan? timeout = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"The Portal exited with {_process.ExitCode}.\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
            try
            {
                if ((await http.GetAsync($"{BaseUrl}/health/ready")).StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The Portal did not become ready.\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
    }

    /// <summary>Waits for the process to end by itself and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The Portal was still running after {timeout}.\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
        }
        _process.WaitForExit(); // flushes the redirected output
        return _process.ExitCode;
    }

    /// <summary>Stops the process (it is killed: these tests need no graceful shutdown).</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
        if (_ownsDataDirectory)
        {
            try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
