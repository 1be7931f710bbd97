using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Catalyst.Data;
using Catalyst.Data.Storage;
using Catalyst.Data.Websites;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using static Catalyst.Bench.Scenarios.StorageBench;

namespace Catalyst.Bench.Scenarios;

/// <summary>What every storage scenario shares: a user with a token, and a bare Kestrel baseline (PUT to disk with SHA-256, GET a file with ranges).</summary>
public abstract class StorageScenario : IScenario
{
    protected string? Token { get; private set; }

    public abstract string Name { get; }

    public async Task SeedAsync(BenchDatabase database, BenchOptions options, CancellationToken ct) =>
        (_, Token) = await database.CreateUserAsync($"{Name}@bench.local", ct);

    public Task SeedAsync(Uri baseUrl, string token, BenchOptions options, CancellationToken ct)
    {
        Token = token;
        return Task.CompletedTask;
    }

    public abstract Task<ScenarioReport> RunAsync(BenchTarget target, CancellationToken ct);

    /// <summary>Azurite's connection string when the run's store is AzureBlob (the Azure SDK baseline then runs against the same emulator).</summary>
    protected static string? AzureConnectionString => BenchPortal.StorageSettings.GetValueOrDefault("Storage:AzureBlob:ConnectionString");

    private static Azure.Storage.Blobs.BlobContainerClient SdkContainer() => new(AzureConnectionString, "bench-sdk");

    /// <summary>The Azure SDK itself uploading the same file to the same Azurite (<c>BlobClient.UploadAsync</c>, its default transfer options).</summary>
    protected static async Task<double> AzureSdkUploadAsync(string file, string name, CancellationToken ct)
    {
        var container = SdkContainer();
        await container.CreateIfNotExistsAsync(cancellationToken: ct);
        var watch = Stopwatch.StartNew();
        await container.GetBlobClient(name).UploadAsync(file, overwrite: true, ct);
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>The Azure SDK reading the blob <paramref name="name"/> as ranges of <paramref name="range"/> bytes, in order (ranged <c>DownloadStreamingAsync</c>).</summary>
    protected static async Task<double> AzureSdkRangesAsync(string name, long size, int range, CancellationToken ct)
    {
        var blob = SdkContainer().GetBlobClient(name);
        var watch = Stopwatch.StartNew();
        for (long offset = 0; offset < size; offset += range)
        {
            var response = await blob.DownloadStreamingAsync(new Azure.Storage.Blobs.Models.BlobDownloadOptions
            {
                Range = new Azure.HttpRange(offset, Math.Min(range, size - offset)),
            }, ct);
            await using var content = response.Value.Content;
            await content.CopyToAsync(Stream.Null, ct);
        }
        return watch.Elapsed.TotalSeconds;
    }

    protected async Task<ChildProcess> StartBaselineAsync(string directory, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        return await BenchPortal.StartBaselineAsync(Name, directory, ct);
    }

    /// <summary>The bare Kestrel baseline: PUT /upload/{name} streams the body to disk while hashing it; GET /file/{name} is Results.File with ranges.</summary>
    public async Task ServeBaselineAsync(string dataPath, string url, CancellationToken ct)
    {
        var directory = dataPath;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
        await using var app = builder.Build();
        app.MapGet("/ready", () => "ready");
        app.MapPut("/upload/{name}", async (string name, HttpRequest request, CancellationToken c) =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using var file = new FileStream(Path.Combine(directory, Path.GetFileName(name)), FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
            var buffer = new byte[256 * 1024];
            int read;
            while ((read = await request.Body.ReadAsync(buffer, c)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), c);
            }
            return Results.Text(Convert.ToHexStringLower(hash.GetHashAndReset()));
        });
        app.MapGet("/file/{name}", (string name) => Results.File(Path.Combine(directory, Path.GetFileName(name)), "application/octet-stream", enableRangeProcessing: true));
        await app.StartAsync(ct);
        await app.WaitForShutdownAsync(ct);
    }

    /// <summary>Uploads a file to Catalyst with tus-js-client (8 MiB chunks) and returns the asset id.</summary>
    protected async Task<string> UploadAssetAsync(HttpClient http, string file, CancellationToken ct)
    {
        var before = await LatestAssetIdAsync(http, ct);
        await TusUploadAsync(new Uri(http.BaseAddress!, "api/uploads/").ToString(), file, 8 * MiB, Token, ct);
        var latest = await LatestAssetIdAsync(http, ct);
        return latest != before && latest is not null ? latest : throw new InvalidOperationException("The upload created no asset.");
    }

    private static async Task<string?> LatestAssetIdAsync(HttpClient http, CancellationToken ct)
    {
        using var list = JsonDocument.Parse(await http.GetStringAsync("api/assets?pageSize=1", ct));
        var data = list.RootElement.GetProperty("data");
        return data.GetArrayLength() == 0 ? null : data[0].GetProperty("id").GetString();
    }

    protected static string Side(string label, IReadOnlyList<double> seconds, long bytes) =>
        $"{label}: {string.Join(", ", seconds.Select(s => $"{s:F2} s ({Mibps(bytes, s)} MiB/s)"))}";
}

/// <summary>
/// §15: a 200 MiB tus upload with tus-js-client at 8 MiB and 1 MiB chunks, against the official Node
/// tus server with the same client and file, and against a bare Kestrel endpoint streaming the same
/// body to disk while hashing it; sha256sum on the file for scale. Best of two runs each.
/// </summary>
public sealed class UploadScenario : StorageScenario
{
    private const long Size = 200L * MiB;
    public override string Name => "upload";

    public override async Task<ScenarioReport> RunAsync(BenchTarget target, CancellationToken ct)
    {
        await EnsureNodeAsync(ct);
        var file = RandomFile(Size, "upload-200m.bin");
        var scratch = Path.Combine(Path.GetTempPath(), "catalyst-bench", $"upload-{Guid.NewGuid():N}");
        Directory.CreateDirectory(scratch);
        using var nodeServer = await StartNodeTusAsync(scratch, ct);
        await using var bare = await StartBaselineAsync(Path.Combine(scratch, "bare"), ct);
        var endpoint = new Uri(target.BaseUrl, "api/uploads/").ToString();
        var nodeEndpoint = $"http://127.0.0.1:{nodeServer.Port}/files/";
        var figures = new Dictionary<string, double?>();
        var catalyst8 = new List<double>();
        var notes = new List<string> { "Random (incompressible) bytes. Each figure is the better of two runs; the runs alternate between the servers." };
        try
        {
            foreach (var chunk in new[] { 8 * MiB, 1 * MiB })
            {
                var cat = new List<double>();
                var node = new List<double>();
                for (var round = 0; round < 2; round++)
                {
                    node.Add(await TusUploadAsync(nodeEndpoint, file, chunk, null, ct));
                    var (seconds, growth) = await WithWorkingSetAsync(target.ServerProcessId, () => TusUploadAsync(endpoint, file, chunk, Token, ct));
                    cat.Add(seconds);
                    if (chunk == 8 * MiB) figures["workingSetGrowthMiB"] = Math.Max(figures.GetValueOrDefault("workingSetGrowthMiB") ?? 0, growth);
                }
                var label = chunk == 8 * MiB ? "8MiB" : "1MiB";
                figures[$"catalyst{label}MiBps"] = Mibps(Size, cat.Min());
                figures[$"nodeTus{label}MiBps"] = Mibps(Size, node.Min());
                figures[$"ratioToNodeTus{label}"] = Math.Round(node.Min() / cat.Min(), 3);
                notes.Add(Side($"Catalyst {label}", cat, Size));
                notes.Add(Side($"Node tus {label}", node, Size));
                if (chunk == 8 * MiB) catalyst8 = cat;
            }

            var bareRuns = new List<double>();
            using var http = Client(bare.BaseUrl, null);
            for (var round = 0; round < 2; round++)
            {
                var watch = Stopwatch.StartNew();
                await using var body = File.OpenRead(file);
                using var content = new StreamContent(body, 256 * 1024);
                (await http.PutAsync($"upload/{Guid.NewGuid():N}", content, ct)).EnsureSuccessStatusCode();
                bareRuns.Add(watch.Elapsed.TotalSeconds);
            }
            figures["bareKestrelMiBps"] = Mibps(Size, bareRuns.Min());
            figures["ratioToBareKestrel8MiB"] = Math.Round(bareRuns.Min() / catalyst8.Min(), 3);
            notes.Add(Side("Bare Kestrel (one PUT, disk + SHA-256)", bareRuns, Size));
            var sha = await Sha256SumSecondsAsync(file, ct);
            figures["sha256sumMiBps"] = Mibps(Size, sha);
            figures["ratioToSha256sum8MiB"] = Math.Round(sha / catalyst8.Min(), 3);
            if (AzureConnectionString is not null)
            {
                var sdk = new List<double>();
                for (var round = 0; round < 2; round++)
                    sdk.Add(await AzureSdkUploadAsync(file, "upload-200m.bin", ct));
                figures["azureSdkMiBps"] = Mibps(Size, sdk.Min());
                figures["ratioToAzureSdk8MiB"] = Math.Round(sdk.Min() / catalyst8.Min(), 3);
                notes.Add(Side("Azure SDK BlobClient.UploadAsync to the same Azurite", sdk, Size));
            }
        }
        finally
        {
            try { Directory.Delete(scratch, recursive: true); } catch (IOException) { }
        }
        List<TargetCheck> targets =
        [
            new("vsNodeTus", ">= 1.20 of the Node tus server (8 MiB chunks)", figures["ratioToNodeTus8MiB"], figures["ratioToNodeTus8MiB"] >= 1.2),
            new("vsBareKestrel", ">= 0.60 of a bare Kestrel endpoint", figures["ratioToBareKestrel8MiB"], figures["ratioToBareKestrel8MiB"] >= 0.6),
            new("workingSet", "< 100 MiB growth", figures.GetValueOrDefault("workingSetGrowthMiB"), figures.GetValueOrDefault("workingSetGrowthMiB") is not { } g || double.IsNaN(g) || g < 100),
        ];
        if (figures.GetValueOrDefault("ratioToAzureSdk8MiB") is { } vsSdk)
            targets.Add(new("vsAzureSdk", ">= 0.70 of the Azure SDK uploading to the same Azurite", vsSdk, vsSdk >= 0.7));
        return Report(Name, "A 200 MiB tus upload (tus-js-client) at 8 MiB and 1 MiB chunks.", new Dictionary<string, object> { ["bytes"] = Size },
            catalyst8, null, figures, targets, notes);
    }

    private static async Task<NodeTusServer> StartNodeTusAsync(string scratch, CancellationToken ct)
    {
        var directory = Path.Combine(scratch, "node-tus");
        Directory.CreateDirectory(directory);
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var process = Process.Start(new ProcessStartInfo("node", ["tus-server.mjs", port.ToString(System.Globalization.CultureInfo.InvariantCulture), directory])
        { WorkingDirectory = NodeDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
        var line = await process.StandardOutput.ReadLineAsync(ct);
        if (line != "listening")
            throw new InvalidOperationException("The Node tus server did not start: " + await process.StandardError.ReadToEndAsync(ct));
        return new NodeTusServer(process, port);
    }

    private sealed record NodeTusServer(Process Process, int Port) : IDisposable
    {
        public void Dispose()
        {
            Process.Kill(entireProcessTree: true);
            Process.Dispose();
        }
    }
}

/// <summary>§15: a ranged download of a 200 MiB asset (8 MiB ranges, in order) against Results.File over the same file from disk.</summary>
public sealed class DownloadRangeScenario : StorageScenario
{
    private const long Size = 200L * MiB;
    private const int Range = 8 * MiB;
    public override string Name => "download-range";

    public override async Task<ScenarioReport> RunAsync(BenchTarget target, CancellationToken ct)
    {
        await EnsureNodeAsync(ct);
        var file = RandomFile(Size, "download-200m.bin");
        var scratch = Path.Combine(Path.GetTempPath(), "catalyst-bench", $"download-{Guid.NewGuid():N}");
        await using var bare = await StartBaselineAsync(scratch, ct);
        File.Copy(file, Path.Combine(scratch, "file.bin"), overwrite: true);
        using var catalystHttp = Client(target.BaseUrl, Token);
        var assetId = await UploadAssetAsync(catalystHttp, file, ct);
        using var bareHttp = Client(bare.BaseUrl, null);

        async Task<double> RangesAsync(HttpClient http, string url)
        {
            var watch = Stopwatch.StartNew();
            for (long offset = 0; offset < Size; offset += Range)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.Range = new RangeHeaderValue(offset, Math.Min(Size, offset + Range) - 1);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                await DrainAsync(response, ct);
            }
            return watch.Elapsed.TotalSeconds;
        }

        var cat = new List<double>();
        var baseline = new List<double>();
        for (var round = 0; round < 3; round++)
        {
            baseline.Add(await RangesAsync(bareHttp, "file/file.bin"));
            cat.Add(await RangesAsync(catalystHttp, $"api/assets/{assetId}/content"));
        }
        var sdk = new List<double>();
        if (AzureConnectionString is not null)
        {
            await AzureSdkUploadAsync(file, "download-200m.bin", ct);
            for (var round = 0; round < 3; round++)
                sdk.Add(await AzureSdkRangesAsync("download-200m.bin", Size, Range, ct));
        }
        try { Directory.Delete(scratch, recursive: true); } catch (IOException) { }
        var ratio = Math.Round(baseline.Min() / cat.Min(), 3);
        var figures = new Dictionary<string, double?>
        {
            ["catalystMiBps"] = Mibps(Size, cat.Min()),
            ["bareKestrelMiBps"] = Mibps(Size, baseline.Min()),
            ["ratioToBareKestrel"] = ratio,
        };
        if (sdk.Count > 0)
        {
            figures["azureSdkMiBps"] = Mibps(Size, sdk.Min());
            figures["ratioToAzureSdk"] = Math.Round(sdk.Min() / cat.Min(), 3);
        }
        return Report(Name, "A 200 MiB asset read as 25 ranges of 8 MiB, in order, against Results.File with ranges over the same file.",
            new Dictionary<string, object> { ["bytes"] = Size, ["rangeBytes"] = Range }, cat, baseline, figures,
            [new("vsBareKestrel", ">= 0.90 of Results.File", ratio, ratio >= 0.9),
             .. (figures.GetValueOrDefault("ratioToAzureSdk") is { } vsSdk ? new[] { new TargetCheck("vsAzureSdk", ">= 0.70 of the Azure SDK's ranged reads from the same Azurite", vsSdk, vsSdk >= 0.7) } : [])],
            ["Best of three alternating runs each.", Side("Catalyst", cat, Size), Side("Results.File", baseline, Size)]);
    }
}

/// <summary>§15: 20 versions of a 10 MiB JSON document, 1% of it edited each time, as website data: physical bytes ÷ one version's.</summary>
public sealed class CdcVersionsScenario : StorageScenario
{
    public override string Name => "cdc-versions";

    public override async Task<ScenarioReport> RunAsync(BenchTarget target, CancellationToken ct)
    {
        using var http = Client(target.BaseUrl, Token);
        var website = await CreateWebsiteAsync(http, "cdc", ct);
        var random = new Random(1);
        var pages = new List<string>();
        while (pages.Sum(p => p.Length) < 10 * MiB)
            pages.Add(Page(pages.Count, random));
        var seconds = new List<double>();
        var documentBytes = 0;
        for (var version = 0; version < 20; version++)
        {
            if (version > 0)
            {
                // 1% of the document, in one place: a run of consecutive pages gets new text.
                var count = Math.Max(1, pages.Count / 100);
                var at = random.Next(pages.Count - count);
                for (var i = at; i < at + count; i++)
                    pages[i] = Page(i, random);
            }
            var document = "{\"pages\":[" + string.Join(",", pages) + "]}";
            documentBytes = document.Length;
            var watch = Stopwatch.StartNew();
            await PutDataAsync(http, website, $"{{\"content\": {document}}}", version, ct);
            seconds.Add(watch.Elapsed.TotalSeconds);
        }
        var (one, all) = await PhysicalAsync(target.SqliteFile!, website, ct);
        var ratio = Math.Round(all / (double)one, 3);
        return Report(Name, "20 versions of a 10 MiB JSON document, 1% edited each, written as website data.",
            new Dictionary<string, object> { ["versions"] = 20, ["documentBytes"] = documentBytes },
            seconds, null, new Dictionary<string, double?> { ["oneVersionPhysicalBytes"] = one, ["twentyVersionsPhysicalBytes"] = all, ["ratio"] = ratio },
            [new("physical", "< 2x one version", ratio, ratio < 2)],
            ["Physical bytes: the stored (compressed) size of the chunks the versions' content sections use, counted once.",
             "Each version replaces 1% of the document in one place (a run of consecutive pages) with new text of the same kind."]);
    }

    private static readonly string[] Words = ["content", "section", "paragraph", "image", "caption", "link", "author", "published", "draft", "title", "hero", "footer"];

    /// <summary>One page of a website document: an id and a body of about 2 KB of words.</summary>
    internal static string Page(int id, Random random)
    {
        var builder = new StringBuilder(2200).Append("{\"id\":").Append(id).Append(",\"body\":\"");
        for (var w = 0; w < 200; w++)
            builder.Append(Words[random.Next(Words.Length)]).Append(' ').Append(random.Next(1000)).Append(' ');
        return builder.Append("\"}").ToString();
    }

    /// <summary>A JSON object of about <paramref name="approximateBytes"/> of pages.</summary>
    internal static string JsonDocumentOf(int approximateBytes, int seed)
    {
        var random = new Random(seed);
        string[] words = ["content", "section", "paragraph", "image", "caption", "link", "author", "published", "draft", "title", "hero", "footer"];
        var builder = new StringBuilder(approximateBytes + 1000).Append("{\"pages\":[");
        var page = 0;
        while (builder.Length < approximateBytes)
        {
            builder.Append(page == 0 ? "" : ",").Append("{\"id\":").Append(page++).Append(",\"body\":\"");
            for (var w = 0; w < 200; w++)
                builder.Append(words[random.Next(words.Length)]).Append(' ').Append(random.Next(1000)).Append(' ');
            builder.Append("\"}");
        }
        return builder.Append("]}").ToString();
    }

    internal static async Task<Guid> CreateWebsiteAsync(HttpClient http, string name, CancellationToken ct)
    {
        var response = await http.PostAsJsonAsync("api/websites", new { name = $"{name} {Guid.NewGuid():N}"[..24] }, ct);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return json.RootElement.GetProperty("data").GetProperty("id").GetGuid();
    }

    internal static async Task PutDataAsync(HttpClient http, Guid website, string body, int version, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"api/websites/{website}/data") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("If-Match", $"\"{version}\"");
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"PUT data answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
    }

    private static async Task<(long One, long All)> PhysicalAsync(string sqliteFile, Guid website, CancellationToken ct)
    {
        var options = new DbContextOptionsBuilder<SqliteCatalystDbContext>()
            .UseSqlite(new SqliteConnectionStringBuilder { DataSource = sqliteFile, Mode = SqliteOpenMode.ReadOnly }.ToString()).Options;
        await using var db = new SqliteCatalystDbContext(options);
        var shas = await db.Set<WebsiteDataVersion>().Where(v => v.WebsiteId == website).OrderBy(v => v.Version).Select(v => v.ContentSha256!).ToListAsync(ct);
        async Task<long> StoredAsync(IEnumerable<string> blobs)
        {
            var list = blobs.ToList();
            var chunks = await db.Set<BlobChunk>().Where(c => list.Contains(c.BlobSha256)).Select(c => c.ChunkSha256).Distinct().ToListAsync(ct);
            return await db.Set<StoredChunk>().Where(c => chunks.Contains(c.Sha256)).SumAsync(c => (long)c.StoredLength, ct);
        }
        return (await StoredAsync([shas[0]]), await StoredAsync(shas));
    }
}

/// <summary>§15: the Portal's working set while a 1 GiB file is uploaded (tus, 8 MiB chunks) and downloaded.</summary>
public sealed class MemoryScenario : StorageScenario
{
    private const long Size = 1024L * MiB;
    public override string Name => "memory";

    public override async Task<ScenarioReport> RunAsync(BenchTarget target, CancellationToken ct)
    {
        await EnsureNodeAsync(ct);
        var file = RandomFile(Size, "memory-1g.bin");
        using var http = Client(target.BaseUrl, Token);
        var watch = Stopwatch.StartNew();
        var (assetId, uploadGrowth) = await WithWorkingSetAsync(target.ServerProcessId, () => UploadAssetAsync(http, file, ct));
        var uploadSeconds = watch.Elapsed.TotalSeconds;
        watch.Restart();
        var (bytes, downloadGrowth) = await WithWorkingSetAsync(target.ServerProcessId, async () =>
        {
            using var response = await http.GetAsync($"api/assets/{assetId}/content", HttpCompletionOption.ResponseHeadersRead, ct);
            return await DrainAsync(response, ct);
        });
        var downloadSeconds = watch.Elapsed.TotalSeconds;
        if (bytes != Size)
            throw new InvalidOperationException($"Downloaded {bytes} of {Size} bytes.");
        return Report(Name, "Working-set growth of the Portal while a 1 GiB file is uploaded with tus (8 MiB chunks) and downloaded.",
            new Dictionary<string, object> { ["bytes"] = Size }, [uploadSeconds, downloadSeconds], null,
            new Dictionary<string, double?>
            {
                ["uploadGrowthMiB"] = uploadGrowth, ["downloadGrowthMiB"] = downloadGrowth,
                ["uploadMiBps"] = Mibps(Size, uploadSeconds), ["downloadMiBps"] = Mibps(Size, downloadSeconds),
            },
            [new("upload", "< 100 MiB growth", uploadGrowth, uploadGrowth < 100), new("download", "< 100 MiB growth", downloadGrowth, downloadGrowth < 100)],
            ["Growth: the highest resident set sampled every 50 ms during the transfer, minus the resident set just before it."]);
    }
}

/// <summary>Issue 4: GET and PUT of a 10 MiB website-data document (p50/p95 of 20 each), and the working set during a 200 MiB PUT and GET.</summary>
public sealed class WebsiteDataScenario : StorageScenario
{
    public override string Name => "website-data";

    public override async Task<ScenarioReport> RunAsync(BenchTarget target, CancellationToken ct)
    {
        using var http = Client(target.BaseUrl, Token);
        var website = await CdcVersionsScenario.CreateWebsiteAsync(http, "data", ct);
        var document = CdcVersionsScenario.JsonDocumentOf(10 * MiB, seed: 3);
        var puts = new List<double>();
        var gets = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var body = $"{{\"content\": {document[..^2]},{{\"id\":-{i}}}]}}}}";
            var watch = Stopwatch.StartNew();
            await CdcVersionsScenario.PutDataAsync(http, website, body, i, ct);
            puts.Add(watch.Elapsed.TotalSeconds);
            watch.Restart();
            using (var response = await http.GetAsync($"api/websites/{website}/data", HttpCompletionOption.ResponseHeadersRead, ct))
                await DrainAsync(response, ct);
            gets.Add(watch.Elapsed.TotalSeconds);
        }

        var big = Path.Combine(Path.GetTempPath(), "catalyst-bench-files", "website-200m.json");
        Directory.CreateDirectory(Path.GetDirectoryName(big)!); // the scenario may run without the upload one before it
        if (!File.Exists(big))
            await File.WriteAllTextAsync(big, $"{{\"content\": {CdcVersionsScenario.JsonDocumentOf(200 * MiB, seed: 4)}}}", ct);
        var (_, putGrowth) = await WithWorkingSetAsync(target.ServerProcessId, async () =>
        {
            await using var file = File.OpenRead(big);
            using var request = new HttpRequestMessage(HttpMethod.Put, $"api/websites/{website}/data") { Content = new StreamContent(file, 256 * 1024) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TryAddWithoutValidation("If-Match", "\"20\"");
            using var response = await http.SendAsync(request, ct);
            response.EnsureSuccessStatusCode();
            return true;
        });
        var (_, getGrowth) = await WithWorkingSetAsync(target.ServerProcessId, async () =>
        {
            using var response = await http.GetAsync($"api/websites/{website}/data", HttpCompletionOption.ResponseHeadersRead, ct);
            return await DrainAsync(response, ct);
        });
        static double P(List<double> s, double q) => Math.Round(s.Order().ElementAt(Math.Clamp((int)Math.Ceiling(q * s.Count) - 1, 0, s.Count - 1)) * 1000, 1);
        return Report(Name, "GET and PUT of a 10 MiB website-data document; working set during a 200 MiB PUT and GET.",
            new Dictionary<string, object> { ["documentBytes"] = document.Length, ["rounds"] = 20 }, puts, null,
            new Dictionary<string, double?>
            {
                ["putP50Ms"] = P(puts, 0.5), ["putP95Ms"] = P(puts, 0.95), ["getP50Ms"] = P(gets, 0.5), ["getP95Ms"] = P(gets, 0.95),
                ["put200MiBGrowthMiB"] = putGrowth, ["get200MiBGrowthMiB"] = getGrowth,
            },
            [new("put200MiB", "< 100 MiB growth", putGrowth, putGrowth < 100), new("get200MiB", "< 100 MiB growth", getGrowth, getGrowth < 100)],
            ["The latency figures above are the PUTs; GET percentiles are in the figures."]);
    }
}

/// <summary>§15 / issue 7: export and import of a 200 MiB website (100 MiB of data, 100 MiB of assets), MiB/s each way and the working set.</summary>
public sealed class ExportImportScenario : StorageScenario
{
    public override string Name => "export-import";

    public override async Task<ScenarioReport> RunAsync(BenchTarget target, CancellationToken ct)
    {
        await EnsureNodeAsync(ct);
        using var http = Client(target.BaseUrl, Token);
        var website = await CdcVersionsScenario.CreateWebsiteAsync(http, "backup", ct);
        var data = Path.Combine(Path.GetTempPath(), "catalyst-bench-files", "website-100m.json");
        Directory.CreateDirectory(Path.GetDirectoryName(data)!);
        if (!File.Exists(data))
            await File.WriteAllTextAsync(data, $"{{\"content\": {CdcVersionsScenario.JsonDocumentOf(100 * MiB, seed: 5)}}}", ct);
        await using (var file = File.OpenRead(data))
        {
            using var put = new HttpRequestMessage(HttpMethod.Put, $"api/websites/{website}/data") { Content = new StreamContent(file) };
            put.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            put.Headers.TryAddWithoutValidation("If-Match", "\"0\"");
            (await http.SendAsync(put, ct)).EnsureSuccessStatusCode();
        }
        var asset = RandomFile(100L * MiB, "asset-100m.bin");
        await TusUploadWithWebsiteAsync(http, asset, website, ct);

        var backup = Path.Combine(Path.GetTempPath(), "catalyst-bench-files", $"export-{Guid.NewGuid():N}.json");
        var watch = Stopwatch.StartNew();
        var (bytes, exportGrowth) = await WithWorkingSetAsync(target.ServerProcessId, async () =>
        {
            using var response = await http.GetAsync($"api/websites/{website}/export", HttpCompletionOption.ResponseHeadersRead, ct);
            response.EnsureSuccessStatusCode();
            await using var file = File.Create(backup);
            await response.Content.CopyToAsync(file, ct);
            return file.Length;
        });
        var exportSeconds = watch.Elapsed.TotalSeconds;

        watch.Restart();
        var (_, importGrowth) = await WithWorkingSetAsync(target.ServerProcessId, async () =>
        {
            await using var file = File.OpenRead(backup);
            using var form = new MultipartFormDataContent { { new StreamContent(file, 256 * 1024), "file", "backup.json" } };
            using var response = await http.PostAsync("api/websites/import?onDuplicate=copy", form, ct);
            response.EnsureSuccessStatusCode();
            var location = response.Headers.Location!.OriginalString.TrimStart('/');
            var job = await Poll.UntilAsync(() => http.GetFromJsonAsync<JsonElement>(location, ct),
                j => j.GetProperty("data").GetProperty("status").GetString() is "succeeded" or "failed" or "canceled",
                TimeSpan.FromMinutes(30), "the import to end", TimeSpan.FromMilliseconds(100), ct);
            return job.GetProperty("data").GetProperty("status").GetString() == "succeeded" ? true : throw new InvalidOperationException("The import failed: " + job);
        });
        var importSeconds = watch.Elapsed.TotalSeconds;
        File.Delete(backup);
        var figures = new Dictionary<string, double?>
        {
            ["backupBytes"] = bytes, ["exportMiBps"] = Mibps(bytes, exportSeconds), ["importMiBps"] = Mibps(bytes, importSeconds),
            ["exportGrowthMiB"] = exportGrowth, ["importGrowthMiB"] = importGrowth,
        };
        return Report(Name, "Export (GET /export) and import (multipart, as a copy, until the job is done) of a website with 100 MiB of data and a 100 MiB asset.",
            new Dictionary<string, object> { ["dataBytes"] = 100L * MiB, ["assetBytes"] = 100L * MiB }, [exportSeconds, importSeconds], null, figures,
            [
                new("export", ">= 50 MiB/s", figures["exportMiBps"], figures["exportMiBps"] >= 50),
                new("import", ">= 50 MiB/s", figures["importMiBps"], figures["importMiBps"] >= 50),
                new("exportMemory", "< 100 MiB growth", exportGrowth, exportGrowth < 100),
                new("importMemory", "< 100 MiB growth", importGrowth, importGrowth < 100),
            ],
            ["The backup file size counts the base64 of the asset (4/3 of its bytes)."]);
    }

    private async Task TusUploadWithWebsiteAsync(HttpClient http, string file, Guid website, CancellationToken ct)
    {
        // Assets of a website are uploaded with its id in the metadata; do it with one creation-with-upload request per 64 MiB.
        var length = new FileInfo(file).Length;
        using var create = new HttpRequestMessage(HttpMethod.Post, "api/uploads/");
        create.Headers.Add("Tus-Resumable", "1.0.0");
        create.Headers.Add("Upload-Length", length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        create.Headers.Add("Upload-Metadata", $"filename {Convert.ToBase64String(Encoding.UTF8.GetBytes("asset.bin"))},websiteId {Convert.ToBase64String(Encoding.UTF8.GetBytes(website.ToString()))}");
        using var created = await http.SendAsync(create, ct);
        created.EnsureSuccessStatusCode();
        var location = created.Headers.Location!.OriginalString.TrimStart('/');
        await using var source = File.OpenRead(file);
        var buffer = new byte[64 * MiB];
        long offset = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, ct)) > 0)
        {
            using var patch = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new ByteArrayContent(buffer, 0, read) };
            patch.Headers.Add("Tus-Resumable", "1.0.0");
            patch.Headers.Add("Upload-Offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
            patch.Content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
            (await http.SendAsync(patch, ct)).EnsureSuccessStatusCode();
            offset += read;
        }
    }
}
