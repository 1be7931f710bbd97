namespace Catalyst.Bench;

/// <summary>
/// The real Portal, started from its build output as its own process, in production mode, over a
/// data directory the bench has prepared, with an admin from the environment.
/// </summary>
public static class PortalProcess
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

    public static string Dll => Path.Combine(Repository.Root, "src", "Portal", "bin", Repository.Configuration, "net10.0", "Catalyst.Portal.dll");

    public static Task<ServerProcess> StartAsync(string dataDirectory, CancellationToken ct)
    {
        if (!File.Exists(Dll))
            throw new FileNotFoundException("The Portal's build output was not found; build the solution first.", Dll);
        var environment = Settings(dataDirectory).ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value);
        environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // Run the build output as a published Portal would run: from a build manifest, static assets
        // otherwise add a catch-all route whose file-exists check costs a stat call on every request.
        environment["ReloadStaticAssetsAtRuntime"] = "false";
        return ServerProcess.StartAsync("The Portal", [Dll, "--urls", "{url}"], Path.Combine(Repository.Root, "src", "Portal"),
            environment, "health/ready", Path.Combine(dataDirectory, "portal-console.log"), deleteConsoleLog: false, ct);
    }
}

/// <summary>
/// Azurite (tests/azurite, installed with npm ci) for <c>--store AzureBlob</c>: the Portal's blob
/// store on a loopback port with a temporary folder, stopped with the bench.
/// </summary>
public static class AzuriteProcess
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public static async Task<ServerProcess> StartAsync(string folder, CancellationToken ct)
    {
        var package = Path.Combine(Repository.Root, "tests", "azurite");
        var main = Path.Combine(package, "node_modules", "azurite", "dist", "src", "blob", "main.js");
        if (!File.Exists(main))
            throw new FileNotFoundException("Azurite is not installed: run `npm ci` in tests/azurite (scripts/test.sh does).", main);
        Directory.CreateDirectory(folder);
        return await ServerProcess.StartAsync("Azurite", [main, "--blobHost", "127.0.0.1", "--blobPort", "{port}", "--location", folder, "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose"],
            package, new Dictionary<string, string>(), "devstoreaccount1?comp=list", Path.Combine(folder, "azurite-console.log"), deleteConsoleLog: true, ct,
            executable: "node", anyAnswerIsReady: true);
    }

    public static Dictionary<string, string> Settings(ServerProcess azurite) => new()
    {
        ["Storage:Provider"] = "AzureBlob",
        ["Storage:AzureBlob:ConnectionString"] = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};BlobEndpoint={azurite.BaseUrl}devstoreaccount1;",
        ["Storage:AzureBlob:ContainerName"] = "bench",
    };
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
