namespace Catalyst.Bench;

/// <summary>
/// Catalyst against its baseline with the same client settings: the two run one after the other,
/// alternating (baseline, Catalyst, baseline, Catalyst, ...), and the best run of each side (by
/// requests/s) is kept, so a burst of noise on this shared machine hurts one run, not the verdict.
/// </summary>
public static class SideBySide
{
    public const string CatalystSide = "catalyst";
    public const string BaselineSide = "baseline";

    public static async Task<(LoadResult Catalyst, LoadResult? Baseline, IReadOnlyList<RunRecord> Runs)> RunAsync(
        int rounds, Func<CancellationToken, Task<LoadResult>>? baseline, Func<CancellationToken, Task<LoadResult>> catalyst, CancellationToken ct)
    {
        var runs = new List<(int Round, string Side, LoadResult Result)>();
        for (var round = 1; round <= rounds; round++)
        {
            if (baseline is not null)
                runs.Add((round, BaselineSide, await MeasureAsync(round, BaselineSide, baseline, ct)));
            runs.Add((round, CatalystSide, await MeasureAsync(round, CatalystSide, catalyst, ct)));
        }

        LoadResult? Best(string side) => runs.Where(r => r.Side == side).Select(r => r.Result)
            .OrderBy(r => r.Errors).ThenByDescending(r => r.RequestsPerSecond).FirstOrDefault();
        var bestCatalyst = Best(CatalystSide)!;
        var bestBaseline = Best(BaselineSide);
        var records = runs.Select(r => new RunRecord(r.Round, r.Side, ReferenceEquals(r.Result, r.Side == CatalystSide ? bestCatalyst : bestBaseline), r.Result)).ToList();
        return (bestCatalyst, bestBaseline, records);
    }

    private static async Task<LoadResult> MeasureAsync(int round, string side, Func<CancellationToken, Task<LoadResult>> run, CancellationToken ct)
    {
        var result = await run(ct);
        Console.WriteLine($"  round {round} {side,-8}  {result.RequestsPerSecond,8:F0} req/s  p50 {result.P50Ms,6:F1}  p95 {result.P95Ms,6:F1}  p99 {result.P99Ms,6:F1}  max {result.MaxMs,7:F1} ms  errors {result.Errors}");
        return result;
    }
}
