using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Catalyst.Tests.Support;

/// <summary>How to start a <see cref="ChildProcess"/>.</summary>
public sealed record ChildProcessOptions
{
    /// <summary>What the process is, for messages: "The Portal", "The worker", "Azurite".</summary>
    public required string Name { get; init; }

    public string Executable { get; init; } = "dotnet";

    /// <summary>The arguments (and <see cref="Environment"/> values); <c>{url}</c> stands for <see cref="ChildProcess.BaseUrl"/> and <c>{port}</c> for its port (a free loopback port).</summary>
    public required IReadOnlyList<string> Arguments { get; init; }

    public string WorkingDirectory { get; init; } = Path.GetTempPath();

    /// <summary>Variables set for the process, after the inherited settings were removed.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Removes every inherited variable with <c>__</c> in its name (a .NET configuration key such as
    /// <c>Catalyst__Admin__Email</c>), so only the caller's settings count.
    /// </summary>
    public bool RemoveInheritedSettings { get; init; } = true;

    /// <summary>
    /// Copies the console to this file block by block instead of keeping it in memory: far cheaper
    /// for a server writing a line per request (the bench). <see cref="ChildProcess.Output"/> reads it back.
    /// </summary>
    public string? ConsoleLog { get; init; }

    /// <summary>The port <c>{url}</c> and <c>{port}</c> stand for; a free loopback port unless told.</summary>
    public int? Port { get; init; }

    /// <summary>Deletes <see cref="ConsoleLog"/> with the process.</summary>
    public bool DeleteConsoleLog { get; init; }
}

/// <summary>
/// A process the tests or the bench start and own: the built Portal or worker, Azurite, a bench
/// baseline. It gets a free loopback port when its arguments ask for one, its console is captured
/// (in memory, or in a file for chatty servers), and disposing kills it with its children.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable, IDisposable
{
    private readonly Lock _capture = new();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _interleaved = new();
    private readonly ChildProcessOptions _options;
    private readonly FileStream? _console;
    private readonly Task _copying;

    private ChildProcess(ChildProcessOptions options)
    {
        _options = options;
        var port = options.Port ?? FreePort();
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
        var url = $"http://127.0.0.1:{port}";
        var portText = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string Expand(string value) => value.Replace("{url}", url, StringComparison.Ordinal).Replace("{port}", portText, StringComparison.Ordinal);
        var start = new ProcessStartInfo(options.Executable, options.Arguments.Select(Expand))
        {
            WorkingDirectory = options.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (options.RemoveInheritedSettings)
        {
            foreach (var key in start.Environment.Keys.Where(k => k.Contains("__", StringComparison.Ordinal)).ToList())
                start.Environment.Remove(key);
        }
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in options.Environment)
            start.Environment[key] = Expand(value);

        if (options.ConsoleLog is not null)
            _console = new FileStream(options.ConsoleLog, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
        Process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException($"Could not start {options.Name}.");
        _copying = _console is null
            ? Task.WhenAll(CopyTextAsync(Process.StandardOutput, _stdout), CopyTextAsync(Process.StandardError, _stderr))
            : Task.WhenAll(CopyBytesAsync(Process.StandardOutput.BaseStream), CopyBytesAsync(Process.StandardError.BaseStream));
    }

    public static ChildProcess Start(ChildProcessOptions options) => new(options);

    /// <summary>Starts a server and waits until <paramref name="readyPath"/> answers (see <see cref="WaitUntilReadyAsync"/>); killed again if it never does.</summary>
    public static async Task<ChildProcess> StartServerAsync(ChildProcessOptions options, string readyPath, CancellationToken ct, bool anyAnswerIsReady = false)
    {
        var server = Start(options);
        try
        {
            await server.WaitUntilReadyAsync(readyPath, anyAnswerIsReady, ct: ct);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs a command to its end: exit code, standard output, standard error. Killed after <paramref name="timeout"/> (four minutes unless told: a loaded machine starts processes slowly).</summary>
    public static async Task<(int Code, string Out, string Err)> RunAsync(ChildProcessOptions options, TimeSpan? timeout = null)
    {
        await using var process = Start(options);
        var code = await process.WaitForExitAsync(timeout ?? TimeSpan.FromMinutes(4));
        return (code, process.StandardOutput, process.StandardError);
    }

    public string Name => _options.Name;

    /// <summary>http://127.0.0.1:&lt;port&gt;/ — the address <c>{url}</c> stood for.</summary>
    public Uri BaseUrl { get; }

    public Process Process { get; }

    public int ProcessId => Process.Id;

    public string StandardOutput => InMemory(_stdout);

    public string StandardError => InMemory(_stderr);

    /// <summary>Standard output and error, interleaved as they arrived.</summary>
    public string Output
    {
        get
        {
            if (_options.ConsoleLog is null)
                lock (_capture) return _interleaved.ToString();
            using var reader = new StreamReader(new FileStream(_options.ConsoleLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            return reader.ReadToEnd();
        }
    }

    /// <summary>The last 50 lines of <see cref="Output"/>, for error messages.</summary>
    public string Tail => string.Join('\n', Output.Split('\n').TakeLast(50));

    /// <summary>
    /// Polls <paramref name="readyPath"/> until it answers 200 (any answer with
    /// <paramref name="anyAnswerIsReady"/>); fails with the output if the process exits or
    /// <paramref name="timeout"/> (90 seconds unless told) passes.
    /// </summary>
    public async Task WaitUntilReadyAsync(string readyPath = "health/ready", bool anyAnswerIsReady = false, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            // Generous: a dozen Portals start at once while the other test projects run on the same 2 cores.
            await Poll.UntilAsync(async () =>
            {
                if (Process.HasExited)
                    return true;
                try
                {
                    using var response = await http.GetAsync(new Uri(BaseUrl, readyPath), ct);
                    return response.StatusCode == HttpStatusCode.OK || anyAnswerIsReady;
                }
                catch (HttpRequestException) { return false; }
                catch (TaskCanceledException) when (!ct.IsCancellationRequested) { return false; }
            }, ready => ready, timeout ?? TimeSpan.FromSeconds(180), $"{Name} to answer {readyPath}", TimeSpan.FromMilliseconds(200), ct);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} did not become ready:\n{Tail}");
        }
        if (Process.HasExited)
            throw new InvalidOperationException($"{Name} exited with {Process.ExitCode}:\n{await OutputAfterExitAsync()}");
    }

    /// <summary>Waits until the output satisfies <paramref name="done"/>; fails with the output if the process exits first or <paramref name="timeout"/> (three minutes unless told) passes.</summary>
    public async Task<string> WaitForOutputAsync(Func<string, bool> done, TimeSpan? timeout = null)
    {
        var output = await Poll.UntilAsync(() => Task.FromResult(Output), o => done(o) || Process.HasExited, timeout ?? TimeSpan.FromMinutes(3), $"{Name} to get there", TimeSpan.FromMilliseconds(100));
        if (done(output))
            return output;
        output = await OutputAfterExitAsync();
        return done(output) ? output : throw new InvalidOperationException($"{Name} exited with {Process.ExitCode}:\n{output}");
    }

    /// <summary>Waits for the process to end by itself and returns its exit code, its output complete; fails with the output after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await Process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} was still running after {timeout}:\n{Tail}");
        }
        await _copying;
        return Process.ExitCode;
    }

    /// <summary>Kills the process and its children (no graceful shutdown: what a crash looks like).</summary>
    public async Task StopAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }
        await _copying;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Process.Dispose();
        if (_console is not null)
        {
            await _console.DisposeAsync();
            if (_options.DeleteConsoleLog)
                File.Delete(_options.ConsoleLog!);
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task<string> OutputAfterExitAsync()
    {
        await _copying;
        return Output;
    }

    private string InMemory(StringBuilder captured)
    {
        if (_options.ConsoleLog is not null)
            throw new InvalidOperationException($"The console of {Name} goes to {_options.ConsoleLog}; read Output.");
        lock (_capture) return captured.ToString();
    }

    private async Task CopyTextAsync(StreamReader reader, StringBuilder stream)
    {
        var buffer = new char[16 * 1024];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (_capture)
            {
                stream.Append(buffer, 0, read);
                _interleaved.Append(buffer, 0, read);
            }
        }
    }

    private async Task CopyBytesAsync(Stream output)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await output.ReadAsync(buffer)) > 0)
        {
            // Both streams write to one file: a block at a time, never interleaved mid-block.
            lock (_capture)
#pragma warning disable CA1849 // Inside a lock (no await there): both output streams share the file, a block at a time.
                _console!.Write(buffer, 0, read);
#pragma warning restore CA1849
        }
    }

    /// <summary>A loopback port nothing listens on at the moment.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
