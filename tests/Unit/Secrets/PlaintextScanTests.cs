using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Catalyst.Tests.Unit.Deployments;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Tests.Unit.Websites;

namespace Catalyst.Tests.Unit.Secrets;

/// <summary>
/// SPEC §14 "no plaintext secret in the database file, logs, exports or HTML": secrets carrying
/// unique markers go in through every door (API and portal forms, MCP servers and deployment
/// configs, attach and rotate), every feature that touches them runs (a delivery that reads one,
/// a key rotation, exports), and then the whole data directory (database, logs, blobs), every
/// export and every portal page an admin can reach are searched for the markers. The only place a
/// marker may appear is the receiving endpoint's Authorization header.
/// </summary>
public partial class PlaintextScanTests
{
    [GeneratedRegex("""(?:href|hx-get)="(/[^"#]*)""")]
    private static partial Regex LocalLink();

    /// <summary>A secret whose marker is not in its last four characters (which the masked form shows).</summary>
    private static (string Value, string Marker) Secret(string door)
    {
        var marker = $"PLAINMARK{door}{Guid.NewGuid():N}";
        return ($"{marker}-tail", marker);
    }

    [Fact]
    public async Task No_secret_marker_appears_in_the_data_directory_the_exports_or_any_portal_page()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var endpoint = await LoopbackEndpoint.FailingAsync(1);
        var portal = new PortalFactory(new Dictionary<string, string?>
        {
            ["Catalyst:Deployments:AllowPrivateEndpoints"] = "true",
            ["Catalyst:Deployments:RetryBaseSeconds"] = "0.2",
            ["Serilog:MinimumLevel:Default"] = "Debug",
        }, ownsDataDirectory: false);
        var dataDirectory = portal.DataDirectory;
        var markers = new List<string>();
        var exports = new List<(string What, byte[] Bytes)>();
        var pages = new Dictionary<string, string>();
        try
        {
            await portal.InitializeAsync();
            var admin = await portal.CreateUserAsync("scanner", admin: true);
            var adminApi = portal.CreateApiClient(admin.Token);
            var browser = await portal.CreateSignedInBrowserAsync(admin);

            // MCP servers: a credential through the API, rotated through the API, and one through the portal form.
            var (mcp1, m1) = Secret("mcpapi");
            var (mcp2, m2) = Secret("mcprot");
            var (mcp3, m3) = Secret("mcpform");
            markers.AddRange([m1, m2, m3]);
            var created = await adminApi.PostJsonAsync("/api/admin/mcp-servers", new { name = "Scanned API server", transport = "http", endpoint = "https://mcp.example.com/mcp", credential = mcp1 });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var mcpId = (await created.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
            Assert.Equal(HttpStatusCode.OK, (await adminApi.SendJsonAsync(HttpMethod.Put, $"/api/admin/mcp-servers/{mcpId}/credential", new { value = mcp2 })).StatusCode);
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFormAsync("/Admin/Mcp/Edit", new Dictionary<string, string>
            {
                ["Input.Name"] = "Scanned form server", ["Input.Transport"] = "Stdio", ["Input.Command"] = "npx -y scanned", ["Input.Status"] = "Active", ["Input.Credential"] = mcp3,
            })).StatusCode);
            // A refused form must not echo the credential either.
            var refused = await browser.PostFormAsync("/Admin/Mcp/Edit", new Dictionary<string, string>
            {
                ["Input.Name"] = "", ["Input.Transport"] = "Http", ["Input.Endpoint"] = "not a url", ["Input.Status"] = "Active", ["Input.Credential"] = mcp3,
            });
            pages["POST /Admin/Mcp/Edit (refused)"] = await refused.Content.ReadAsStringAsync();

            // Deployment configs: a credential through the API, rotated through the portal form; then a delivery reads it.
            var (dep1, d1) = Secret("depapi");
            var (dep2, d2) = Secret("depform");
            markers.AddRange([d1, d2]);
            var (_, ownerApi, websiteId) = await portal.UserWithWebsiteAsync("scanned");
            Assert.Equal(HttpStatusCode.OK, (await ownerApi.PutDataAsync(websiteId, """{"content":{"title":"Scanned"},"assets":[],"aiContext":null}""", "\"0\"")).StatusCode);
            var config = await adminApi.PostJsonAsync($"/api/websites/{websiteId}/deployment-configs", new { name = "Scanned", provider = "webhook", endpoint = endpoint.Url, credential = dep1 });
            Assert.Equal(HttpStatusCode.Created, config.StatusCode);
            var configId = (await config.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFormAsync($"/Websites/{websiteId}/deployments/{configId}", new Dictionary<string, string>
            {
                ["Input.Name"] = "Scanned", ["Input.Provider"] = "webhook", ["Input.Endpoint"] = endpoint.Url, ["Input.Credential"] = dep2, ["Version"] = "1",
            })).StatusCode);
            var runId = await adminApi.DeployAsync(configId);
            await adminApi.WaitForRunAsync(runId, "succeeded");
            Assert.All(endpoint.Requests, r => Assert.Equal($"Bearer {dep2}", r.Authorization));

            // A key rotation re-encrypts all of them.
            var rotation = await adminApi.PostAsync("/api/admin/keys/rotate", null, ct);
            Assert.Equal(HttpStatusCode.Accepted, rotation.StatusCode);
            var rotationJob = (await rotation.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
            await WaitForJobAsync(adminApi, rotationJob);

            // Exports: the website backup (plain and gzip), the export job's result, the owner's account archive.
            exports.Add(("website export", await ownerApi.GetByteArrayAsync($"/api/websites/{websiteId}/export", ct)));
            exports.Add(("website export (gzip)", Gunzip(await ownerApi.GetByteArrayAsync($"/api/websites/{websiteId}/export?gzip=true", ct))));
            var exportJob = await ownerApi.PostJsonAsync($"/api/websites/{websiteId}/exports", new { });
            Assert.Equal(HttpStatusCode.Accepted, exportJob.StatusCode);
            var exportJobId = (await exportJob.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
            await WaitForJobAsync(ownerApi, exportJobId);
            exports.Add(("export job result", await ownerApi.GetByteArrayAsync($"/api/jobs/{exportJobId}/result", ct)));
            var archiveJob = await ownerApi.PostAsync("/api/me/exports", null, ct);
            Assert.Equal(HttpStatusCode.Accepted, archiveJob.StatusCode);
            var archiveJobId = (await archiveJob.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
            await WaitForJobAsync(ownerApi, archiveJobId);
            using (var zip = new ZipArchive(new MemoryStream(await ownerApi.GetByteArrayAsync($"/api/jobs/{archiveJobId}/result", ct))))
                foreach (var entry in zip.Entries)
                {
                    using var stream = entry.Open();
                    using var bytes = new MemoryStream();
                    await stream.CopyToAsync(bytes, ct);
                    exports.Add(($"account archive {entry.FullName}", bytes.ToArray()));
                }

            // The API's answers about them.
            foreach (var url in new[]
            {
                "/api/admin/mcp-servers?includeDeleted=true", $"/api/admin/mcp-servers/{mcpId}", "/api/mcp-servers", $"/api/websites/{websiteId}/deployment-configs",
                $"/api/deployment-configs/{configId}", $"/api/deployment-configs/{configId}/runs", "/api/admin/audit?pageSize=100", "/api/admin/keys", $"/api/jobs/{rotationJob}",
            })
                pages["API " + url] = await adminApi.GetStringAsync(url, ct);

            // Every portal page an admin reaches by following links from the home pages (htmx partials included).
            var queue = new Queue<string>(["/", "/Admin", "/Admin/Mcp?deleted=true", $"/Admin/Mcp/Edit/{mcpId}", "/Admin/Secrets", "/Admin/Audit",
                $"/Websites/Details/{websiteId}?tab=deployments", $"/Websites/{websiteId}/deployments/{configId}", $"/Websites/Details/{websiteId}?handler=Runs", "/Admin/System"]);
            var hangfirePages = 0;
            while (queue.TryDequeue(out var url) && pages.Count < 400)
            {
                if (pages.ContainsKey(url))
                    continue;
                var response = await browser.GetAsync(url, ct);
                var isHtml = response.Content.Headers.ContentType?.MediaType == "text/html";
                var html = await response.Content.ReadAsStringAsync(ct);
                pages[url] = html;
                if (!isHtml || !response.IsSuccessStatusCode)
                    continue;
                foreach (Match link in LocalLink().Matches(html))
                {
                    var next = WebUtility.HtmlDecode(link.Groups[1].Value);
                    if (next.StartsWith("/api/", StringComparison.Ordinal) || next.StartsWith("/lib/", StringComparison.Ordinal) || next.StartsWith("/css/", StringComparison.Ordinal)
                        || next.StartsWith("/js/", StringComparison.Ordinal) || next.StartsWith("/health", StringComparison.Ordinal) || next.StartsWith("/Account/Logout", StringComparison.Ordinal))
                        continue;
                    if (next.StartsWith("/hangfire", StringComparison.Ordinal) && ++hangfirePages > 40)
                        continue;
                    if (!pages.ContainsKey(next))
                        queue.Enqueue(next);
                }
            }
            Assert.True(pages.Count > 40, $"only {pages.Count} pages were visited");
            Assert.Contains(pages.Keys, p => p.StartsWith("/Admin/Features", StringComparison.Ordinal));
            Assert.Contains(pages.Keys, p => p.StartsWith("/hangfire", StringComparison.Ordinal));
        }
        finally
        {
            // Stopping the Portal flushes the logs and checkpoints the SQLite write-ahead log into the database file.
            await portal.DisposeAsync();
        }

        try
        {
            var hits = new List<string>();
            foreach (var file in Directory.EnumerateFiles(dataDirectory, "*", SearchOption.AllDirectories))
                hits.AddRange(Find(markers, await File.ReadAllBytesAsync(file, ct), $"file {Path.GetRelativePath(dataDirectory, file)}"));
            foreach (var (what, bytes) in exports)
                hits.AddRange(Find(markers, bytes, what));
            foreach (var (url, html) in pages)
                hits.AddRange(Find(markers, Encoding.UTF8.GetBytes(html), url));

            Assert.True(Directory.EnumerateFiles(Path.Combine(dataDirectory), "*.json", SearchOption.AllDirectories).Any(f => f.Contains("portal-", StringComparison.Ordinal)),
                "no log file was written");
            Assert.True(hits.Count == 0, "Secret markers found:\n" + string.Join("\n", hits));
        }
        finally
        {
            try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Where any marker occurs in <paramref name="bytes"/> as UTF-8 or UTF-16 (SQL Server's nvarchar).</summary>
    private static IEnumerable<string> Find(IEnumerable<string> markers, byte[] bytes, string where)
    {
        foreach (var marker in markers)
            foreach (var encoding in new Encoding[] { Encoding.UTF8, Encoding.Unicode })
                if (bytes.AsSpan().IndexOf(encoding.GetBytes(marker)) >= 0)
                    yield return $"{marker} ({encoding.WebName}) in {where}";
    }

    private static byte[] Gunzip(byte[] bytes)
    {
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    private static Task<JsonElement> WaitForJobAsync(HttpClient api, Guid jobId) =>
        Poll.UntilAsync(async () => (await (await api.GetAsync($"/api/jobs/{jobId}")).ReadJsonAsync()).GetProperty("data"), job =>
        {
            var status = job.GetProperty("status").GetString();
            if (status is "failed" or "canceled")
                Assert.Fail($"Job {jobId} ended {status}: {job}");
            return status == "succeeded";
        }, TimeSpan.FromSeconds(60), $"job {jobId}");
}
