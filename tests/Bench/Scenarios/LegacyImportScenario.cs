using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Catalyst.Bench.Scenarios;

/// <summary>
/// SPEC §15: the legacy migration of a ~50 MB dump set (the library-made large set that the fixtures'
/// <c>--large</c> command writes into <c>tests/fixtures/legacy/large</c>) through the
/// API: dry run, apply and verify as jobs, timed from the request to the finished JobRun, with the
/// Portal's peak working set sampled meanwhile. Target: apply + verify under 15 s with every row and blob verified.
/// </summary>
public sealed class LegacyImportScenario : IScenario
{
    private const double MaxSeconds = 15;
    private string? _token;

    public string Name => "legacy-migration";

    public static string FixtureFolder => Path.Combine(LegacyFixtures.Folder, "large");

    public async Task SeedAsync(BenchDatabase database, BenchOptions options, CancellationToken ct) =>
        (_, _token) = await database.CreateUserAsync("legacy-migration@bench.local", ct);

    public Task SeedAsync(Uri baseUrl, string token, BenchOptions options, CancellationToken ct)
    {
        _token = token;
        return Task.CompletedTask;
    }

    public async Task<ScenarioReport> RunAsync(BenchTarget target, CancellationToken ct)
    {
        var files = LegacyFixtures.Exists("large") ? LegacyFixtures.DumpFiles("large") : [];
        if (files.Length == 0)
            return Report(new Dictionary<string, object> { ["fixtures"] = FixtureFolder }, [], [$"No dump set in {FixtureFolder}: generate it with the fixtures' --large command first."]);

        using var http = BenchHttp.Create(target.BaseUrl, _token ?? throw new InvalidOperationException("The scenario has not been seeded."), 1);
        http.Timeout = TimeSpan.FromMinutes(10);
        var bytes = files.Sum(f => new FileInfo(f).Length);
        using var sampler = new PeakSampler(target.ServerProcessId);

        var (dryId, drySeconds) = await TimedJobAsync(http, () => http.PostAsync("api/migrations/legacy?mode=dry-run", Form(files), ct), ct);
        var (applyId, applySeconds) = await TimedJobAsync(http, () => http.PostAsync("api/migrations/legacy?mode=apply", Form(files), ct), ct);
        var (_, verifySeconds) = await TimedJobAsync(http, () => http.PostAsync($"api/migrations/{applyId}/verify", null, ct), ct);
        var report = (await http.GetFromJsonAsync<JsonElement>($"api/migrations/{applyId}", ct)).GetProperty("data");
        var tables = report.GetProperty("tables").EnumerateArray().ToList();
        int Sum(string field) => tables.Sum(t => t.GetProperty(field).GetInt32());
        var blobs = report.GetProperty("blobs");
        var verification = report.GetProperty("verification");
        var passed = verification.GetProperty("passed").GetBoolean();
        var total = applySeconds + verifySeconds;
        Console.WriteLine($"  {files.Length} files, {bytes / 1e6:F1} MB: dry run {drySeconds:F2} s, apply {applySeconds:F2} s, verify {verifySeconds:F2} s; "
            + $"{Sum("imported")} of {Sum("source")} rows, {blobs.GetProperty("imported").GetInt32()} of {blobs.GetProperty("source").GetInt32()} blobs; peak working set {sampler.PeakMiB:F0} MiB");

        List<TargetCheck> targets =
        [
            new("seconds", $"apply + verify < {MaxSeconds} s", Math.Round(total, 2), total < MaxSeconds),
            new("verified", "every imported row and blob verified", verification.GetProperty("blobsChecked").GetInt32(), passed),
        ];
        return Report(new Dictionary<string, object>
        {
            ["files"] = files.Length,
            ["megabytes"] = Math.Round(bytes / 1e6, 1),
            ["dryRunSeconds"] = Math.Round(drySeconds, 2),
            ["applySeconds"] = Math.Round(applySeconds, 2),
            ["verifySeconds"] = Math.Round(verifySeconds, 2),
            ["rowsSource"] = Sum("source"),
            ["rowsImported"] = Sum("imported"),
            ["rowsSkipped"] = Sum("skipped"),
            ["rowsFailed"] = Sum("failed"),
            ["rowsPerSecond"] = Math.Round(Sum("source") / applySeconds, 0),
            ["blobsImported"] = blobs.GetProperty("imported").GetInt32(),
            ["blobsPerSecond"] = Math.Round(blobs.GetProperty("imported").GetInt32() / applySeconds, 0),
            ["blobBytes"] = blobs.GetProperty("bytes").GetInt64(),
            ["peakWorkingSetMiB"] = Math.Round(sampler.PeakMiB, 0),
            ["dryRunMigration"] = dryId,
        }, targets, []);
    }

    private ScenarioReport Report(Dictionary<string, object> parameters, List<TargetCheck> targets, List<string> notes)
    {
        var empty = new LoadResult(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, []);
        return new ScenarioReport(Name, "Legacy browser dumps (~50 MB, library-made) through POST /api/migrations/legacy: dry run, apply, verify.",
            parameters, empty, null, new Dictionary<string, double?>(), new Dictionary<string, double>(), targets,
            targets.Count > 0 && targets.All(t => t.Passed), [], notes);
    }

    private static MultipartFormDataContent Form(string[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var file in files)
        {
#pragma warning disable CA2000 // The form owns its parts and is disposed by the caller.
            var part = new StreamContent(File.OpenRead(file));
#pragma warning restore CA2000
            part.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            form.Add(part, "files", Path.GetFileName(file));
        }
        return form;
    }

    /// <summary>Starts a job and waits for it: the migration id (its result) and the seconds from request to finish.</summary>
    private static async Task<(Guid Id, double Seconds)> TimedJobAsync(HttpClient http, Func<Task<HttpResponseMessage>> start, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        using var response = await start();
        response.EnsureSuccessStatusCode();
        var location = response.Headers.Location!.OriginalString.TrimStart('/');
        var job = await Poll.UntilAsync(async () => (await http.GetFromJsonAsync<JsonElement>(location, ct)).GetProperty("data"),
            j => j.GetProperty("status").GetString() is "succeeded" or "failed" or "canceled", TimeSpan.FromMinutes(30), "the job to end", ct: ct);
        var seconds = clock.Elapsed.TotalSeconds;
        var status = job.GetProperty("status").GetString();
        return status == "succeeded"
            ? (job.GetProperty("result").GetGuid(), seconds)
            : throw new InvalidOperationException($"The job {status}: {job.GetProperty("error")}");
    }

    public Task ServeBaselineAsync(string dataPath, string url, CancellationToken ct) =>
        throw new NotSupportedException($"The {Name} scenario has no baseline server.");

    /// <summary>Samples the Portal's working set every 50 ms; the highest value seen.</summary>
    private sealed class PeakSampler : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private long _peak;

        public PeakSampler(int? processId)
        {
            _loop = processId is not { } id ? Task.CompletedTask : Task.Run(async () =>
            {
                using var process = Process.GetProcessById(id);
                while (!_stop.IsCancellationRequested)
                {
                    process.Refresh();
                    _peak = Math.Max(_peak, process.WorkingSet64);
                    // A sampling interval, not a wait for work.
                    try { await Task.Delay(50, _stop.Token); } catch (OperationCanceledException) { break; }
                }
            });
        }

        public double PeakMiB => _peak / 1048576.0;

        public void Dispose()
        {
            _stop.Cancel();
            _loop.Wait();
            _stop.Dispose();
        }
    }
}
