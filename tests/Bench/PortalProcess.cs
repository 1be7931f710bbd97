using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Catalyst.Bench;

/// <summary>
/// The real Portal, started from its build output as its own process on a free loopback port,
/// in production mode, over a data directory the bench has prepared. Its console output is
/// drained (Serilog writes a JSON line per request) and only the tail is kept for errors.
/// </summary>
public sealed class PortalProcess : IAsyncDisposable
{
    public const string AdminEmail = "admin@bench.local";
    public const string AdminPassword = "Bench-Admin-Pass-1!";

    private readonly Queue<string> _tail = new();
    private Process? _process;

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
        foreach (var (key, value) in Settings(dataDirectory))
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;

        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the Portal.");
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

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

    public string Tail { get { lock (_tail) return string.Join('\n', _tail); } }

    private void Keep(string? line)
    {
        if (line is null)
            return;
        lock (_tail)
        {
            _tail.Enqueue(line);
            if (_tail.Count > 100)
                _tail.Dequeue();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
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
