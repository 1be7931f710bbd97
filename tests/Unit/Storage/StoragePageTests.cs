using System.Net;
using Catalyst.Data;
using Catalyst.Data.Storage;
using Catalyst.Tests.Unit.Backups;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Storage;

/// <summary>The admin Storage page: recompression started from the page, and the savings per codec shown as a table and a chart.</summary>
public class StoragePageTests(PortalFactory portal)
{
    [Fact]
    public async Task Recompressing_from_the_page_shows_brotli_savings_in_the_codec_table_and_chart()
    {
        var admin = await portal.AdminAsync();
        var text = StorageHost.Text(1 << 20, 77);
        var sha = await portal.WithScopeAsync(async sp =>
        {
            var content = sp.GetRequiredService<ContentStore>();
            var blob = await content.WriteAsync(new MemoryStream(text), CancellationToken.None);
            await content.AddReferenceAsync(blob.Sha256, BlobOwnerTypes.Asset, Guid.NewGuid().ToString(), null, CancellationToken.None);
            await sp.GetRequiredService<CatalystDbContext>().SaveChangesAsync();
            return blob.Sha256;
        });
        await portal.WithDbAsync(db => db.Set<StoredChunk>()
            .Where(c => db.Set<BlobChunk>().Any(b => b.BlobSha256 == sha && b.ChunkSha256 == c.Sha256))
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.CreatedAt, DateTime.UtcNow.AddDays(-30))));
        var browser = await portal.CreateSignedInBrowserAsync(admin);

        var started = await browser.PostWithTokenFromAsync("/Admin/Storage", "/Admin/Storage?handler=Recompress");
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        var runId = started.Headers.Location!.OriginalString.Split('/')[^1];
        var job = await BackupTests.WaitForJobAsync(portal.CreateApiClient(admin.Token), $"/api/jobs/{runId}");
        Assert.Equal("succeeded", job.GetProperty("status").GetString());

        var page = await browser.GetDocumentAsync("/Admin/Storage");
        var brotli = page.QuerySelector("[data-testid=codecs] tr[data-codec=brotli]");
        Assert.NotNull(brotli);
        Assert.NotEqual("0", brotli!.QuerySelectorAll("td")[1].TextContent.Trim());
        Assert.Contains("brotli", page.QuerySelector("#savings-chart")!.GetAttribute("data-chart"), StringComparison.Ordinal);
        Assert.Contains(page.QuerySelectorAll("table td a"), a => a.TextContent.Contains("Cold chunk recompression", StringComparison.Ordinal));
        Assert.Equal(text, await portal.WithScopeAsync(async sp =>
        {
            await using var stream = (await sp.GetRequiredService<ContentStore>().OpenReadAsync(sha, CancellationToken.None))!;
            var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            return copy.ToArray();
        }));
    }
}
