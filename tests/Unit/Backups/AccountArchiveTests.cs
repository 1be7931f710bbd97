using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using Catalyst.Data.Backups;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Tests.Unit.Uploads;
using Catalyst.Tests.Unit.Websites;

namespace Catalyst.Tests.Unit.Backups;

public class AccountArchiveTests(PortalFactory portal)
{
    private static async Task<byte[]> RunJobForFileAsync(HttpClient api, HttpResponseMessage started)
    {
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var location = started.Headers.Location!.OriginalString;
        var job = await Poll.UntilAsync(async () => (await (await api.GetAsync(location)).ReadJsonAsync()).GetProperty("data"),
            j => j.GetProperty("status").GetString() is "succeeded" or "failed", TimeSpan.FromSeconds(60), "the archive job");
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        return await api.GetByteArrayAsync($"{location}/result");
    }

    [Fact]
    public async Task The_account_archive_holds_everything_the_user_owns_with_a_checked_manifest()
    {
        var (user, api, websiteId) = await portal.UserWithWebsiteAsync("archive");
        await api.PutDataAsync(websiteId, """{"content": {"page": "home"}}""", "\"0\"");
        await api.PostAsJsonAsync("/api/projects", new { name = "Archived project" });
        await new TusClient(api).UploadAsync(Storage.StorageHost.RandomBytes(300_000, 1), 1 << 20, TusClient.Metadata(("filename", "photo.jpg")));

        var zipBytes = await RunJobForFileAsync(api, await api.PostAsync("/api/me/exports", null));

        using (var zip = new ZipArchive(new MemoryStream(zipBytes)))
        {
            var names = zip.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("manifest.json", names);
            Assert.Contains("projects.json", names);
            Assert.Contains(names, n => n.StartsWith("websites/", StringComparison.Ordinal) && n.EndsWith(".catalyst-backup.json", StringComparison.Ordinal));
            Assert.Contains(names, n => n.StartsWith("assets/", StringComparison.Ordinal) && n.EndsWith("photo.jpg", StringComparison.Ordinal));
            using var reader = new StreamReader(zip.GetEntry("projects.json")!.Open());
            Assert.Contains("Archived project", await reader.ReadToEndAsync(), StringComparison.Ordinal);
        }
        var check = await BackupVerifier.VerifyArchiveAsync(new MemoryStream(zipBytes), CancellationToken.None);
        Assert.True(check.Valid, string.Join("; ", check.Problems));
        Assert.Contains(user.Email, string.Join(" ", check.Facts), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_backup_accepts_good_files_and_names_what_is_wrong_with_damaged_ones()
    {
        var (_, api, websiteId) = await portal.UserWithWebsiteAsync("verify");
        await api.PutDataAsync(websiteId, """{"content": {"page": "home"}, "assets": [1]}""", "\"0\"");
        await new TusClient(api).UploadAsync(Storage.StorageHost.RandomBytes(100_000, 2), 1 << 20, TusClient.Metadata(("filename", "a.bin"), ("websiteId", websiteId.ToString())));
        var backup = await api.GetStringAsync($"/api/websites/{websiteId}/export");
        var good = Path.Combine(Path.GetTempPath(), $"verify-{Guid.NewGuid():N}.json");
        var bad = Path.Combine(Path.GetTempPath(), $"verify-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(good, backup);
        await File.WriteAllTextAsync(bad, backup.Replace("\"assets\":[1]", "\"assets\":[2]", StringComparison.Ordinal));
        try
        {
            var (okCode, okOut, _) = await WorkersProcess.RunAsync(["verify-backup", good], new Dictionary<string, string>());
            Assert.Equal(0, okCode);
            Assert.Contains("OK", okOut, StringComparison.Ordinal);

            var (badCode, _, badErr) = await WorkersProcess.RunAsync(["verify-backup", bad], new Dictionary<string, string>());
            Assert.Equal(3, badCode);
            Assert.Contains("assets section does not match its SHA-256", badErr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(good);
            File.Delete(bad);
        }
    }
}
