namespace Catalyst.Tests.Support;

/// <summary>
/// Azurite (Microsoft's Azure Storage emulator, the npm package pinned in tests/azurite) as a
/// process: the blob service on a free loopback port over a folder of its own, telemetry off.
/// </summary>
public static class AzuriteProcess
{
    /// <summary>Azurite's fixed development account (public, documented by Microsoft).</summary>
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public static string PackageFolder => Path.Combine(RepositoryPaths.Root, "tests", "azurite");

    public static string MainScript => Path.Combine(PackageFolder, "node_modules", "azurite", "dist", "src", "blob", "main.js");

    /// <summary>
    /// Starts Azurite over <paramref name="folder"/> and waits until it answers. Installs it first
    /// (<c>npm ci</c> in tests/azurite) when <paramref name="install"/> is set; otherwise fails saying how.
    /// </summary>
    public static async Task<ChildProcess> StartAsync(string folder, bool install, CancellationToken ct)
    {
        if (!File.Exists(MainScript))
        {
            if (!install)
                throw new FileNotFoundException("Azurite is not installed: run `npm ci` in tests/azurite (scripts/test.sh does).", MainScript);
            var (code, output, error) = await ChildProcess.RunAsync(new ChildProcessOptions
            {
                Name = "npm ci", Executable = "npm", Arguments = ["ci", "--no-audit", "--no-fund", "--loglevel=error"], WorkingDirectory = PackageFolder,
            }, TimeSpan.FromMinutes(5));
            if (code != 0)
                throw new InvalidOperationException($"npm ci in tests/azurite failed ({code}): {output}{error}");
        }
        Directory.CreateDirectory(folder);
        return await ChildProcess.StartServerAsync(new ChildProcessOptions
        {
            Name = "Azurite",
            Executable = "node",
            Arguments = [MainScript, "--blobHost", "127.0.0.1", "--blobPort", "{port}", "--location", folder, "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose"],
            WorkingDirectory = PackageFolder,
        }, "devstoreaccount1?comp=list", ct, anyAnswerIsReady: true);
    }

    /// <summary>The connection string of the development account on <paramref name="azurite"/>.</summary>
    public static string ConnectionString(ChildProcess azurite) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};BlobEndpoint={azurite.BaseUrl}devstoreaccount1;";
}
