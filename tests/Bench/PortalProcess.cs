using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Catalyst.Bench;

/// <summary>
/// The real Portal, started from its build output as its own process on a free loopback port,
/// in production mode, over a data directory the bench has prepared. Its console output (Serilog
/// writes a JSON line per request) is copied block by block to <c>portal-console.log</c> in the
/// data directory, which costs the bench far less CPU than splitting it into lines as it comes.
/// </summary>
public sealed class PortalProcess : IAsyncDisposable
{
    public const string AdminEmail = "admin@bench.local";
    public const string AdminPassword = "Bench-Admin-Pass-1!";

    private Process? _process;
    private readonly Lock _writing = new();
    private FileStream? _console;
    private Task _copying = Task.CompletedTask;

    public Uri BaseUrl { get; private set; } = new("http://127.0.0.1/");
    public string Dll { get; private set; } = "";

    public static Dictionary<string, string> Settings(string dataDirectory) => new()
    {
        ["Catalyst:DataDirectory"] = dataDirectory,
        ["Catalyst:Admin:Email"] = AdminEmail,
        ["Catalyst:Admin:Password"] = AdminPassword,
        ["Catalyst:SignIn:PerAddressPerMinute"] = "100000",
        ["Catalyst:SignIn:PerAccountPerMinute"] = "100000",
    };

    public static async Task<PortalProcess> StartAsync(string dataDirectory, CancellationToken ct)
    {
        var portal = new PortalProcess();
        try
        {
            await portal.StartCoreAsync(dataDirectory, ct);
            return portal;
        }
        catch
        {
            await portal.DisposeAsync();
            throw;
        }
    }

    private async Task StartCoreAsync(string dataDirectory, CancellationToken ct)
    {
        var root = Repository.Root;
        Dll = Path.Combine(root, "src", "Portal", "bin", Repository.Configuration, "net10.0", "Catalyst.Portal.dll");
        if (!File.Exists(Dll))
            throw new FileNotFoundException("The Portal's build output was not found; build the solution first.", Dll);
        BaseUrl = new Uri($"http://127.0.0.1:{FreePort()}/");

        var start = new ProcessStartInfo("dotnet", [Dll, "--urls", BaseUrl.ToString().TrimEnd('/')])
        {
            WorkingDirectory = Path.Combine(root, "src", "Portal"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // Run the build output as a published Portal would run: from a build manifest, static assets
        // otherwise add a catch-all route whose file-exists check costs a stat call on every request.
        start.Environment["ReloadStaticAssetsAtRuntime"] = "false";
        foreach (var (key, value) in Settings(dataDirectory))
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;

        ConsoleLog = Path.Combine(dataDirectory, "portal-console.log");
        _console = new FileStream(ConsoleLog, FileMode.Create, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1);
        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the Portal.");
        _copying = Task.WhenAll(CopyAsync(_process.StandardOutput.BaseStream), CopyAsync(_process.StandardError.BaseStream));

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"The Portal exited with {_process.ExitCode}:\n{Tail}");
            try
            {
                using var response = await http.GetAsync(new Uri(BaseUrl, "health/ready"), ct);
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
            await Task.Delay(200, ct);
        }
        throw new TimeoutException($"The Portal did not become ready:\n{Tail}");
    }

    /// <summary>The Portal's CPU time, for <see cref="LoadDriver"/>.</summary>
    public CpuMeter Meter => CpuMeter.For(CpuMeters.Portal, _process ?? throw new InvalidOperationException("Not started."));

    public string ConsoleLog { get; private set; } = "";

    /// <summary>The last lines the Portal printed, for error messages.</summary>
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
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Where the repository is, and which build configuration this bench was built in.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>bin/&lt;Configuration&gt;/net10.0: the Portal is taken from the same configuration.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Catalyst.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Catalyst.sln not found above " + AppContext.BaseDirectory);
    }
}
