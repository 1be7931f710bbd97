namespace Catalyst.Bench;

/// <summary>
/// The Portal the bench measures: its build output as its own process, in production mode, over
/// a data directory the bench has prepared, with an admin from the environment.
/// </summary>
public static class BenchPortal
{
    public const string AdminEmail = "admin@bench.local";
    public const string AdminPassword = "Bench-Admin-Pass-1!";

    /// <summary>Storage settings of the run (<c>--store AzureBlob</c> puts Azurite's here); empty for the default FileSystem store.</summary>
    public static IReadOnlyDictionary<string, string> StorageSettings { get; set; } = new Dictionary<string, string>();

    /// <summary>The Portal's settings; the bench's own Catalyst.Data services use the same ones.</summary>
    public static Dictionary<string, string> Settings(string dataDirectory)
    {
        var settings = new Dictionary<string, string>
        {
            ["Catalyst:DataDirectory"] = dataDirectory,
            ["Catalyst:Admin:Email"] = AdminEmail,
            ["Catalyst:Admin:Password"] = AdminPassword,
            ["Catalyst:SignIn:PerAddressPerMinute"] = "100000",
            ["Catalyst:SignIn:PerAccountPerMinute"] = "100000",
        };
        foreach (var (key, value) in StorageSettings)
            settings[key] = value;
        return settings;
    }

    /// <summary>Starts the Portal and waits until it is ready; its console goes to portal-console.log in the data directory.</summary>
    public static Task<PortalProcess> StartAsync(string dataDirectory, CancellationToken ct)
    {
        var environment = Settings(dataDirectory).ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value);
        // Run the build output as a published Portal would run: from a build manifest, static assets
        // otherwise add a catch-all route whose file-exists check costs a stat call on every request.
        environment["ReloadStaticAssetsAtRuntime"] = "false";
        return PortalProcess.StartReadyAsync(new PortalProcessOptions
        {
            Environment = environment,
            DataDirectory = dataDirectory,
            ConsoleLog = Path.Combine(dataDirectory, "portal-console.log"),
        }, ct);
    }

    /// <summary>Azurite for <c>--store AzureBlob</c>: the Portal's blob store on a loopback port over <paramref name="folder"/>.</summary>
    public static Task<ChildProcess> StartAzuriteAsync(string folder, CancellationToken ct) => AzuriteProcess.StartAsync(folder, install: false, ct);

    public static Dictionary<string, string> AzuriteSettings(ChildProcess azurite) => new()
    {
        ["Storage:Provider"] = "AzureBlob",
        ["Storage:AzureBlob:ConnectionString"] = AzuriteProcess.ConnectionString(azurite),
        ["Storage:AzureBlob:ContainerName"] = "bench",
    };

    /// <summary>
    /// Starts a scenario's baseline as its own process, served the way the Portal is: this bench's
    /// executable in its serve-baseline mode, its console in a temporary file.
    /// </summary>
    public static async Task<ChildProcess> StartBaselineAsync(string scenario, string dataPath, CancellationToken ct)
    {
        var log = Path.Combine(Path.GetTempPath(), "catalyst-bench", $"baseline-{scenario}-{Environment.ProcessId}.log");
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        return await ChildProcess.StartServerAsync(new ChildProcessOptions
        {
            Name = "The baseline",
            Arguments = [typeof(BenchPortal).Assembly.Location, Program.ServeBaselineCommand, scenario, dataPath, "{url}"],
            WorkingDirectory = AppContext.BaseDirectory,
            Environment = new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" },
            ConsoleLog = log,
            DeleteConsoleLog = true,
        }, "ready", ct);
    }
}

/// <summary>A server's CPU time, for <see cref="LoadDriver"/>.</summary>
public static class ServerMeter
{
    extension(ChildProcess server)
    {
        public CpuMeter Meter => CpuMeter.For(CpuMeters.Server, server.Process);
    }
}

/// <summary>The Portal's CPU time, for <see cref="LoadDriver"/>.</summary>
public static class PortalMeter
{
    extension(PortalProcess portal)
    {
        public CpuMeter Meter => CpuMeter.For(CpuMeters.Server, portal.Process);
    }
}
