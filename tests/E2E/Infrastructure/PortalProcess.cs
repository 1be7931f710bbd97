using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Catalyst.Tests.E2E.Infrastructure;

/// <summary>
/// The real Portal as its own process on a free loopback port, with a temporary data directory
/// and an admin from the environment. Started once per test collection, stopped by the fixture.
/// </summary>
public sealed class PortalProcess : IAsyncLifetime
{
    public const string AdminEmail = "admin@e2e.local";
    public const string AdminPassword = "E2e-Admin-Pass-1!";

    private readonly StringBuilder _output = new();
    private Process? _process;

    public string BaseUrl { get; private set; } = "";
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "catalyst-e2e", Guid.NewGuid().ToString("N"));
    public string Output { get { lock (_output) return _output.ToString(); } }

    public async ValueTask InitializeAsync()
    {
        var root = FindRoot();
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0
        var dll = Path.Combine(root, "src", "Portal", "bin", configuration, "net10.0", "Catalyst.Portal.dll");
        if (!File.Exists(dll))
            throw new FileNotFoundException("Build the solution first; the Portal was not found.", dll);
        Directory.CreateDirectory(DataDirectory);
        var port = FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";

        var start = new ProcessStartInfo("dotnet", [dll, "--urls", BaseUrl])
        {
            WorkingDirectory = Path.Combine(root, "src", "Portal"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Catalyst__DataDirectory"] = DataDirectory;
        start.Environment["Catalyst__Admin__Email"] = AdminEmail;
        start.Environment["Catalyst__Admin__Password"] = AdminPassword;
        start.Environment["Catalyst__SignIn__PerAddressPerMinute"] = "10000";
        start.Environment["Catalyst__SignIn__PerAccountPerMinute"] = "10000";
        // The deployment journey delivers to a build hook on loopback (refused in production).
        start.Environment["Catalyst__Deployments__AllowPrivateEndpoints"] = "true";
        start.Environment["DOTNET_NOLOGO"] = "1";

        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the Portal.");
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"The Portal exited with {_process.ExitCode}:\n{Output}");
            try
            {
                var response = await http.GetAsync($"{BaseUrl}/health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The Portal did not become ready:\n{Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Catalyst.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Catalyst.sln not found");
    }
}
