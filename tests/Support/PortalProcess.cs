namespace Catalyst.Tests.Support;

/// <summary>How the Portal is told its address.</summary>
public enum PortalAddressSource
{
    /// <summary><c>--urls http://127.0.0.1:port</c></summary>
    Argument,
    /// <summary><c>ASPNETCORE_URLS</c></summary>
    UrlsVariable,
    /// <summary><c>Kestrel__Endpoints__Http__Url</c></summary>
    KestrelEndpoint,
}

/// <summary>How to run the Portal as a process; the defaults are the unit tests' (Production, a fresh data directory).</summary>
public sealed record PortalProcessOptions
{
    /// <summary>Settings as environment variables (<c>Catalyst__Admin__Email</c>); inherited ones are removed.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Reuse a data directory (a restart, a seeded one); otherwise a fresh one, deleted on dispose.</summary>
    public string? DataDirectory { get; init; }

    /// <summary><c>ASPNETCORE_ENVIRONMENT</c> and <c>DOTNET_ENVIRONMENT</c>.</summary>
    public string EnvironmentName { get; init; } = "Production";

    /// <summary>How the address is given; <c>--urls</c> unless told.</summary>
    public PortalAddressSource AddressSource { get; init; } = PortalAddressSource.Argument;

    /// <summary>The loopback port to listen on; a free one unless told.</summary>
    public int? Port { get; init; }

    /// <summary>A file for the console instead of memory (see <see cref="ChildProcessOptions.ConsoleLog"/>); kept after the run.</summary>
    public string? ConsoleLog { get; init; }
}

/// <summary>
/// The built Portal (<c>src/Portal/bin/&lt;Configuration&gt;/net10.0/Catalyst.Portal.dll</c>) as a real
/// process on a free loopback port, for what only a real start-up shows: configuration
/// validation, the admin bootstrap's console output, Kestrel's own limits, crashes and restarts,
/// a browser or a load generator in front of it. Inherited settings are removed so only the
/// caller's count.
/// </summary>
public sealed class PortalProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly bool _ownsDataDirectory;

    private PortalProcess(PortalProcessOptions options)
    {
        _ownsDataDirectory = options.DataDirectory is null;
        DataDirectory = options.DataDirectory ?? Path.Combine(Path.GetTempPath(), "catalyst-process-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDirectory);
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = options.EnvironmentName,
            ["DOTNET_ENVIRONMENT"] = options.EnvironmentName,
            ["Catalyst__DataDirectory"] = DataDirectory,
        };
        if (options.AddressSource == PortalAddressSource.UrlsVariable)
            environment["ASPNETCORE_URLS"] = "{url}";
        if (options.AddressSource == PortalAddressSource.KestrelEndpoint)
            environment["Kestrel__Endpoints__Http__Url"] = "{url}";
        foreach (var (key, value) in options.Environment)
            environment[key] = value;
        _process = ChildProcess.Start(new ChildProcessOptions
        {
            Name = "The Portal",
            Arguments = options.AddressSource == PortalAddressSource.Argument ? [Dll, "--urls", "{url}"] : [Dll],
            Port = options.Port,
            WorkingDirectory = Path.Combine(RepositoryPaths.Root, "src", "Portal"),
            Environment = environment,
            ConsoleLog = options.ConsoleLog,
        });
    }

    /// <summary>The Portal's dll for the configuration the running binaries were built with.</summary>
    public static string Dll => RepositoryPaths.BuildOutput("Portal", "Catalyst.Portal");

    /// <summary>Starts the Portal; <see cref="WaitUntilReadyAsync"/> waits for it to serve.</summary>
    public static PortalProcess Start(PortalProcessOptions options) => new(options);

    /// <param name="dataDirectory">Reuse a data directory (a restart); otherwise a fresh one deleted on dispose.</param>
    public static PortalProcess Start(IReadOnlyDictionary<string, string>? environment = null, string? dataDirectory = null) =>
        new(new PortalProcessOptions { Environment = environment ?? new Dictionary<string, string>(), DataDirectory = dataDirectory });

    /// <summary>Starts the Portal and waits until it is ready; stopped again if it never is.</summary>
    public static async Task<PortalProcess> StartReadyAsync(PortalProcessOptions options, CancellationToken ct = default)
    {
        var portal = Start(options);
        try
        {
            await portal.WaitUntilReadyAsync(ct: ct);
            return portal;
        }
        catch
        {
            await portal.DisposeAsync();
            throw;
        }
    }

    /// <summary>http://127.0.0.1:&lt;port&gt;/</summary>
    public Uri BaseUrl => _process.BaseUrl;
    public System.Diagnostics.Process Process => _process.Process;
    public int ProcessId => _process.ProcessId;
    public string DataDirectory { get; }
    public string StandardOutput => _process.StandardOutput;
    public string StandardError => _process.StandardError;

    /// <summary>The last lines the Portal printed, for error messages.</summary>
    public string Tail => _process.Tail;

    public HttpClient CreateClient() => new() { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Polls <c>/health/ready</c> until it answers 200; fails with the process output if it exits or takes too long (90 seconds unless told).</summary>
    public Task WaitUntilReadyAsync(TimeSpan? timeout = null, CancellationToken ct = default) =>
        _process.WaitUntilReadyAsync("health/ready", timeout: timeout, ct: ct);

    /// <summary>Waits until the output satisfies <paramref name="done"/>; fails with the output if the process exits first.</summary>
    public Task<string> WaitForOutputAsync(Func<string, bool> done, TimeSpan? timeout = null) => _process.WaitForOutputAsync(done, timeout);

    /// <summary>Waits for the process to end by itself and returns its exit code.</summary>
    public Task<int> WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout);

    /// <summary>Stops the process (it is killed: these tests need no graceful shutdown).</summary>
    public Task StopAsync() => _process.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        if (_ownsDataDirectory)
        {
            try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
