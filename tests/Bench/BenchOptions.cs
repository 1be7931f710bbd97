using System.Globalization;

namespace Catalyst.Bench;

/// <summary>The command line of the bench. Every figure has a default that matches SPEC §15.</summary>
public sealed record BenchOptions
{
    public IReadOnlyList<string> Scenarios { get; init; } = [];
    /// <summary>An already running Catalyst; without it the bench starts the Portal's build output itself.</summary>
    public Uri? Url { get; init; }
    public string? Token { get; init; }
    /// <summary>With <see cref="Url"/>: the SQLite file that Catalyst serves, for the in-process baseline.</summary>
    public string? Database { get; init; }
    /// <summary>The JSON report; by default <c>tests/Bench/results/latest.json</c> in the repository (git-ignored).</summary>
    public string Out { get; init; } = Path.Combine(RepositoryPaths.Root, "tests", "Bench", "results", "latest.json");
    public int Clients { get; init; } = 50;
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>Each side runs this many times, alternating (baseline, Catalyst, baseline, ...); the best run of each is kept.</summary>
    public int Rounds { get; init; } = 2;
    public int Projects { get; init; } = 10_000;
    /// <summary>The Portal's blob store: <c>FileSystem</c> (default) or <c>AzureBlob</c> (on Azurite, started by the bench).</summary>
    public string Store { get; init; } = "FileSystem";

    public const string Usage = """
        Catalyst.Bench — load scenarios against the real Portal, compared with a bare baseline in the same run.

          dotnet run -c Release --project tests/Bench -- [options]

          --scenario NAME     a scenario to run (repeatable; default: all). Known: {scenarios}
          --url URL           target a running Catalyst instead of starting the Portal (needs --token)
          --token TOKEN       bearer token of the user whose data the scenarios read (with --url)
          --db FILE           with --url: the SQLite file that Catalyst serves, for the baseline (else no baseline)
          --out FILE          JSON report (default tests/Bench/results/latest.json)
          --clients N         concurrent clients (default 50)
          --warmup SECONDS    load before measuring, per run (default 3)
          --duration SECONDS  measured load, per run (default 15)
          --rounds N          runs of each side, alternating; the best of each is kept (default 2)
          --projects N        projects of the measured user (default 10000)
          --store NAME        the Portal's blob store: FileSystem (default) or AzureBlob (Azurite, started by the bench)

        Exit code: 0 when every target was met, 1 when one was missed, 2 for bad arguments.
        """;

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            options = name switch
            {
                "--scenario" => options with { Scenarios = [.. options.Scenarios, Value()] },
                "--url" => options with { Url = new Uri(Value().TrimEnd('/') + "/", UriKind.Absolute) },
                "--token" => options with { Token = Value() },
                "--db" => options with { Database = Path.GetFullPath(Value()) },
                "--out" => options with { Out = Path.GetFullPath(Value()) },
                "--clients" => options with { Clients = Positive(name, Value()) },
                "--warmup" => options with { Warmup = TimeSpan.FromSeconds(double.Parse(Value(), CultureInfo.InvariantCulture)) },
                "--duration" => options with { Duration = TimeSpan.FromSeconds(Positive(name, Value())) },
                "--rounds" => options with { Rounds = Positive(name, Value()) },
                "--projects" => options with { Projects = Positive(name, Value()) },
                "--store" => options with { Store = StoreName(Value()) },
                _ => throw new ArgumentException($"Unknown option {name}."),
            };
        }
        if (options.Url is not null && string.IsNullOrEmpty(options.Token))
            throw new ArgumentException("--url needs --token.");
        if (options.Url is null && (options.Token is not null || options.Database is not null))
            throw new ArgumentException("--token and --db go with --url.");
        return options;
    }

    private static string StoreName(string value) =>
        value is "FileSystem" or "AzureBlob" ? value : throw new ArgumentException("--store is FileSystem or AzureBlob.");

    private static int Positive(string name, string value) =>
        int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name} must be a positive whole number.");
}
