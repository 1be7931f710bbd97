namespace Catalyst.Bench.Scenarios;

/// <summary>
/// What the scenarios run against: Catalyst's URL, its SQLite file when the bench can open it, and
/// the Portal's CPU meter when the bench started the Portal.
/// </summary>
public sealed record BenchTarget(Uri BaseUrl, string? SqliteFile, CpuMeter? ServerMeter, BenchOptions Options, int? ServerProcessId = null);

/// <summary>A named load scenario: it seeds its data, then measures Catalyst (and its baseline).</summary>
public interface IScenario
{
    string Name { get; }

    /// <summary>Local mode, before the Portal starts: writes the data through Catalyst.Data.</summary>
    Task SeedAsync(BenchDatabase database, BenchOptions options, CancellationToken ct);

    /// <summary><c>--url</c> mode: brings the data up to size through the public API, as the token's user.</summary>
    Task SeedAsync(Uri baseUrl, string token, BenchOptions options, CancellationToken ct);

    Task<ScenarioReport> RunAsync(BenchTarget target, CancellationToken ct);

    /// <summary>Serves the scenario's baseline (over <paramref name="dataPath"/>: a SQLite file or a folder) on <paramref name="url"/> until cancelled: the bench's <c>serve-baseline</c> mode.</summary>
    Task ServeBaselineAsync(string dataPath, string url, CancellationToken ct);
}

public static class ScenarioCatalog
{
    public static IReadOnlyList<IScenario> All() =>
        [new ProjectsListScenario(), new UploadScenario(), new DownloadRangeScenario(), new CdcVersionsScenario(), new PruneScenario(), new MemoryScenario(), new WebsiteDataScenario(), new ExportImportScenario(),
         new SearchScenario(), new ChatBatchScenario(), new SyncInitScenario(), new CacheZipfScenario(), new MarketplaceBrowseScenario(), new PresignScenario(), new SdkSyncScenario(),
         new MixedLoadScenario(), new LegacyImportScenario()];
}
