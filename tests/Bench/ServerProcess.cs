using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Catalyst.Bench;

/// <summary>
/// A server under test as its own process on a free loopback port: the Portal, or a scenario's
/// baseline (this bench's own executable in its <c>serve-baseline</c> mode), so that both sides of
/// a comparison are served the same way and the bench process is only the load generator. Its
/// console output is copied block by block to a file, which costs the bench far less CPU than
/// splitting it into lines as it comes (the Portal writes a JSON line per request).
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Lock _writing = new();
    private Process? _process;
    private FileStream? _console;
    private Task _copying = Task.CompletedTask;

    private readonly bool _deleteConsoleLog;

    private ServerProcess(string name, Uri baseUrl, string consoleLog, bool deleteConsoleLog) =>
        (Name, BaseUrl, ConsoleLog, _deleteConsoleLog) = (name, baseUrl, consoleLog, deleteConsoleLog);

    public string Name { get; }
    public Uri BaseUrl { get; }
    public string ConsoleLog { get; }

    /// <summary>The server's process id (for its working set).</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("Not started.");

    /// <summary>The process's CPU time, for <see cref="LoadDriver"/>.</summary>
    public CpuMeter Meter => CpuMeter.For(CpuMeters.Server, _process ?? throw new InvalidOperationException("Not started."));

    /// <summary>
    /// Runs <c>dotnet <paramref name="arguments"/></c>, where <c>{url}</c> in an argument stands for
    /// the chosen base URL, and waits until <paramref name="readyPath"/> answers 200. The console log
    /// is deleted with the process when <paramref name="deleteConsoleLog"/> is set.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(
        string name, IReadOnlyList<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string> environment,
        string readyPath, string consoleLog, bool deleteConsoleLog, CancellationToken ct, string executable = "dotnet", bool anyAnswerIsReady = false)
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        var server = new ServerProcess(name, new Uri(url + "/"), consoleLog, deleteConsoleLog);
        try
        {
            var port = server.BaseUrl.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var start = new ProcessStartInfo(executable, arguments.Select(a => a.Replace("{url}", url, StringComparison.Ordinal).Replace("{port}", port, StringComparison.Ordinal)))
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.Environment["DOTNET_NOLOGO"] = "1";
            foreach (var (key, value) in environment)
                start.Environment[key] = value;
            server._console = new FileStream(consoleLog, FileMode.Create, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1);
            server._process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {name}.");
            server._copying = Task.WhenAll(server.CopyAsync(server._process.StandardOutput.BaseStream), server.CopyAsync(server._process.StandardError.BaseStream));
            await server.WaitUntilReadyAsync(readyPath, anyAnswerIsReady, ct);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task WaitUntilReadyAsync(string readyPath, bool anyAnswerIsReady, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited)
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}:\n{Tail}");
            try
            {
                using var response = await http.GetAsync(new Uri(BaseUrl, readyPath), ct);
                if (response.StatusCode == HttpStatusCode.OK || anyAnswerIsReady)
                    return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
            await Task.Delay(200, ct);
        }
        throw new TimeoutException($"{Name} did not become ready:\n{Tail}");
    }

    /// <summary>The last lines the process printed, for error messages.</summary>
    public string Tail
    {
        get
        {
            using var reader = new StreamReader(new FileStream(ConsoleLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            var lines = new Queue<string>();
            while (reader.ReadLine() is { } line)
            {
                lines.Enqueue(line);
                if (lines.Count > 50)
                    lines.Dequeue();
            }
            return string.Join('\n', lines);
        }
    }

    private async Task CopyAsync(Stream output)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await output.ReadAsync(buffer)) > 0)
        {
            // Both streams write to one file: a block at a time, never interleaved mid-block.
            lock (_writing)
                _console!.Write(buffer, 0, read);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        await _copying;
        _process?.Dispose();
        if (_console is not null)
            await _console.DisposeAsync();
        if (_deleteConsoleLog)
            File.Delete(ConsoleLog);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
