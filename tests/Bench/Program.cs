using System.Text.Json;
using Catalyst.Bench;
using Catalyst.Bench.Scenarios;

var catalog = ScenarioCatalog.All();
if (args is [Program.ServeBaselineCommand, var scenarioName, var baselineFile, var baselineUrl])
{
    // A child process of the bench: one scenario's baseline server, stopped by the bench.
    await catalog.Single(s => s.Name == scenarioName).ServeBaselineAsync(baselineFile, baselineUrl, CancellationToken.None);
    return 0;
}
var usage = BenchOptions.Usage.Replace("{scenarios}", string.Join(", ", catalog.Select(s => s.Name)), StringComparison.Ordinal);
if (args.Any(a => a is "-h" or "--help"))
{
    Console.WriteLine(usage);
    return 0;
}

BenchOptions options;
List<IScenario> scenarios;
try
{
    options = BenchOptions.Parse(args);
    scenarios = options.Scenarios.Count == 0
        ? [.. catalog]
        : [.. options.Scenarios.Select(name => catalog.FirstOrDefault(s => s.Name == name) ?? throw new ArgumentException($"Unknown scenario '{name}'."))];
}
catch (Exception ex) when (ex is ArgumentException or FormatException or UriFormatException)
{
    await Console.Error.WriteLineAsync(ex.Message);
    await Console.Error.WriteLineAsync(usage);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
var ct = cancel.Token;
if (RepositoryPaths.Configuration != "Release")
    Console.WriteLine($"Warning: this is a {RepositoryPaths.Configuration} build; figures are meant for -c Release.");

var reports = new List<ScenarioReport>();
TargetInfo target;
if (options.Url is null)
{
    var dataDirectory = Path.Combine(Path.GetTempPath(), "catalyst-bench", Guid.NewGuid().ToString("N"));
    ChildProcess? azurite = null;
    try
    {
        if (options.Store == "AzureBlob")
        {
            azurite = await BenchPortal.StartAzuriteAsync(Path.Combine(dataDirectory + "-azurite"), ct);
            BenchPortal.StorageSettings = BenchPortal.AzuriteSettings(azurite);
            Console.WriteLine($"Blob store: Azurite on {azurite.BaseUrl}");
        }
        Console.WriteLine($"Seeding {dataDirectory} through Catalyst.Data");
        string sqliteFile;
        await using (var database = await BenchDatabase.CreateAsync(dataDirectory, ct))
        {
            foreach (var scenario in scenarios)
                await scenario.SeedAsync(database, options, ct);
            sqliteFile = database.SqliteFile;
        }
        await using var portal = await BenchPortal.StartAsync(dataDirectory, ct);
        Console.WriteLine($"Portal {PortalProcess.Dll} on {portal.BaseUrl}");
        target = new TargetInfo("local", portal.BaseUrl.ToString(), RepositoryPaths.Configuration, TargetInfo.GitCommit()) { Store = options.Store };
        foreach (var scenario in scenarios)
        {
            Console.WriteLine($"Scenario {scenario.Name}");
            try
            {
                reports.Add(await scenario.RunAsync(new BenchTarget(portal.BaseUrl, sqliteFile, portal.Meter, options, portal.ProcessId), ct));
            }
            catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException)
            {
                await Console.Error.WriteLineAsync($"{scenario.Name} failed: {ex.Message}\nThe Portal's last output:\n{portal.Tail}");
                throw;
            }
        }
    }
    finally
    {
        if (azurite is not null)
            await azurite.DisposeAsync();
        try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        try { Directory.Delete(dataDirectory + "-azurite", recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
else
{
    target = new TargetInfo("url", options.Url.ToString(), RepositoryPaths.Configuration, null);
    foreach (var scenario in scenarios)
    {
        Console.WriteLine($"Scenario {scenario.Name} against {options.Url}");
        await scenario.SeedAsync(options.Url, options.Token!, options, ct);
        reports.Add(await scenario.RunAsync(new BenchTarget(options.Url, options.Database, null, options), ct));
    }
}

var report = new BenchReport(DateTimeOffset.UtcNow, MachineInfo.Current(), target, reports);
await report.WriteAsync(options.Out, ct);
var summary = reports.Select(r => new
{
    scenario = r.Name,
    catalyst = new { r.Catalyst.P50Ms, r.Catalyst.P95Ms, r.Catalyst.P99Ms, r.Catalyst.MaxMs, r.Catalyst.RequestsPerSecond, r.Catalyst.Errors },
    baseline = r.Baseline is null ? null : new { r.Baseline.P50Ms, r.Baseline.P95Ms, r.Baseline.P99Ms, r.Baseline.RequestsPerSecond, r.Baseline.Errors },
    r.Ratios,
    r.ServerCpuMsPerRequest,
    targets = r.Targets.ToDictionary(t => t.Name, t => t.Passed ? "pass" : "FAIL"),
});
Console.WriteLine(JsonSerializer.Serialize(summary, BenchReport.Json));
Console.WriteLine($"Report: {options.Out}");
return reports.All(r => r.Passed) ? 0 : 1;

public partial class Program
{
    public const string ServeBaselineCommand = "serve-baseline";
}
