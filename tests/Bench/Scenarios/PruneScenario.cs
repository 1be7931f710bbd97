using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Catalyst.Data.Storage;
using Microsoft.Extensions.DependencyInjection;
using static Catalyst.Bench.Scenarios.StorageBench;

namespace Catalyst.Bench.Scenarios;

/// <summary>
/// §15: prune after deleting half the assets. 160 assets of 1 MiB are uploaded (each its own
/// small pack) and a first garbage collection merges the small packs, so every pack holds many
/// assets; then every other asset is deleted and a second collection prunes, in this process as
/// the Workers would, while 32 MiB uploads go on through the Portal. Reclaimed share = pack bytes
/// freed ÷ bytes deleted; upload speed during the prune ÷ the same uploads' idle speed.
/// </summary>
public sealed class PruneScenario : StorageScenario
{
    private const int Assets = 160;
    private const int AssetBytes = MiB;
    private const int ProbeBytes = 32 * MiB;
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    public override string Name => "prune";

    public override async Task<ScenarioReport> RunAsync(BenchTarget target, CancellationToken ct)
    {
        var dataDirectory = Path.GetDirectoryName(target.SqliteFile) ?? throw new InvalidOperationException("The prune scenario needs the Portal's data directory (a local run).");
        using var http = Client(target.BaseUrl, Token);
        var random = new Random(11);
        var ids = new List<string>();
        for (var i = 0; i < Assets; i++)
            ids.Add(await UploadAsync(http, RandomBytes(random, AssetBytes), $"prune-{i}.bin", ct));

        await using var workers = await BenchDatabase.CreateAsync(dataDirectory, ct,
            new Dictionary<string, string> { ["Storage:GarbageCollectionGrace"] = Grace.ToString() });
        await Task.Delay(Grace * 2, ct);
        var merge = await CollectAsync(workers, ct);

        var probe = new byte[ProbeBytes];
        var idle = new List<double>();
        for (var round = 0; round < 6; round++)
            idle.Add(await TimedUploadAsync(http, probe, $"idle-{round}.bin", ct));

        long deletedBytes = 0;
        for (var i = 0; i < ids.Count; i += 2)
        {
            (await http.DeleteAsync($"api/assets/{ids[i]}", ct)).EnsureSuccessStatusCode();
            deletedBytes += AssetBytes;
        }
        await Task.Delay(Grace * 2, ct);
        var before = await PacksAsync(workers, ct);

        // The prune runs while uploads go on; each upload that overlapped it counts.
        var watch = Stopwatch.StartNew();
        var prune = Task.Run(() => CollectAsync(workers, ct), ct);
        var during = new List<double>();
        var round2 = 0;
        while (!prune.IsCompleted || during.Count == 0)
            during.Add(await TimedUploadAsync(http, probe, $"during-{round2++}.bin", ct));
        var result = await prune;
        var pruneSeconds = watch.Elapsed.TotalSeconds;
        var after = await PacksAsync(workers, ct);

        // Dead bytes left (pack bytes no live chunk uses, headers and trailers included) against those the deletes made.
        var reclaimed = Math.Round(1 - after.DeadBytes / (double)deletedBytes, 3);
        // Like with like: the mean upload time idle against the mean while the prune ran.
        var idleSpeed = Mibps(ProbeBytes, idle.Average());
        var duringSpeed = Mibps(ProbeBytes, during.Average());
        var ratio = Math.Round(idle.Average() / during.Average(), 3);
        var figures = new Dictionary<string, double?>
        {
            ["deletedMiB"] = deletedBytes / (double)MiB,
            ["packMiBBefore"] = Math.Round(before.PackBytes / (double)MiB, 1),
            ["deadMiBBefore"] = Math.Round(before.DeadBytes / (double)MiB, 1),
            ["packMiBAfter"] = Math.Round(after.PackBytes / (double)MiB, 1),
            ["deadMiBAfter"] = Math.Round(after.DeadBytes / (double)MiB, 1),
            ["reclaimedShare"] = reclaimed,
            ["pruneSeconds"] = Math.Round(pruneSeconds, 2),
            ["packsRewritten"] = result.PacksRewritten,
            ["packsDeleted"] = result.PacksDeleted,
            ["idleUploadMiBps"] = idleSpeed,
            ["uploadDuringPruneMiBps"] = duringSpeed,
            ["uploadSpeedRatio"] = ratio,
        };
        return Report(Name, $"{Assets} assets of 1 MiB in merged packs, every other one deleted, then pruned while {ProbeBytes / MiB} MiB uploads go on.",
            new Dictionary<string, object> { ["assets"] = Assets, ["assetBytes"] = AssetBytes, ["probeBytes"] = ProbeBytes },
            during, idle, figures,
            [new("reclaimed", ">= 0.90 of the deleted bytes reclaimed", reclaimed, reclaimed >= 0.9),
             new("uploadsDuringPrune", ">= 0.80 of the idle upload speed", ratio, ratio >= 0.8)],
            [$"First collection (merging the small packs): {merge.PacksRewritten} packs rewritten, {merge.PacksDeleted} deleted.",
             $"Uploads during the prune: {during.Count}; {Side("idle", idle, ProbeBytes)}; {Side("during", during, ProbeBytes)}"]);
    }

    private static Task<GarbageCollectionResult> CollectAsync(BenchDatabase workers, CancellationToken ct) =>
        workers.WithScopeAsync(sp => sp.GetRequiredService<StorageGarbageCollector>().CollectAsync(null, ct));

    private static async Task<PackSummary> PacksAsync(BenchDatabase workers, CancellationToken ct) =>
        (await workers.WithScopeAsync(sp => sp.GetRequiredService<StorageStatistics>().SummarizeAsync(ct))).Packs
        ?? throw new InvalidOperationException("The store reports no packs.");

    private static async Task<double> TimedUploadAsync(HttpClient http, byte[] bytes, string name, CancellationToken ct)
    {
        // New bytes each time, so deduplication does not skip the work.
        Random.Shared.NextBytes(bytes);
        var watch = Stopwatch.StartNew();
        await UploadAsync(http, bytes, name, ct);
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>A tus creation-with-upload in one request; the asset gets the upload's id.</summary>
    private static async Task<string> UploadAsync(HttpClient http, byte[] bytes, string name, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/uploads") { Content = new ByteArrayContent(bytes) };
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.Add("Upload-Length", bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("Upload-Metadata", $"filename {Convert.ToBase64String(Encoding.UTF8.GetBytes(name))}");
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        if (response.Headers.TryGetValues("Upload-Offset", out var offset) && offset.Single() != bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))
            throw new InvalidOperationException($"The upload of {name} stopped at {offset.Single()}.");
        return response.Headers.Location!.OriginalString.TrimEnd('/').Split('/')[^1];
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
