using System.Net;
using Catalyst.Data;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Tests.Unit.Marketplace;
using Catalyst.Tests.Unit.Websites;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Hardening;

/// <summary>
/// A Portal of its own on real Kestrel for the hostile-input suite, so Kestrel's own limits are in
/// play and the row counts taken before and after each case see no other test's writes. An owner
/// (a plain user) holds one resource of every kind a write endpoint addresses; an admin calls the
/// admin endpoints.
/// </summary>
public sealed class HostileStage : IAsyncLifetime
{
    // No job server: a job queued by one case must not write while the next case counts rows.
    public PortalFactory Portal { get; } = PortalFactory.StartKestrel(new Dictionary<string, string?> { ["Catalyst:Jobs:Server"] = "false" });
    public TestUser Owner { get; private set; } = null!;
    public TestUser Admin { get; private set; } = null!;
    public FullWebsite Website { get; private set; } = null!;
    public Guid Project { get; private set; }
    public Guid Session { get; private set; }
    public Guid Asset { get; private set; }
    public Guid Bought { get; private set; }
    public Guid Review { get; private set; }
    public Guid McpServer { get; private set; }
    public string Flag { get; } = "hostile.flag";

    public async ValueTask InitializeAsync()
    {
        await Portal.InitializeAsync();
        Owner = await Portal.CreateUserAsync("hostile-owner");
        Admin = await Portal.CreateUserAsync("hostile-admin", admin: true);
        var api = Api(Owner);
        Project = await api.CreateProjectAsync("Hostile target");
        Website = await Portal.CreateFullWebsiteAsync(Owner, "Hostile site");
        var session = await api.PostJsonAsync("/api/chat/sessions", new { title = "Hostile chat" });
        Session = (await session.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        Asset = await Portal.CreateAssetAsync(Owner, "hostile asset"u8.ToArray(), "hostile.txt", "text/plain");
        var listing = await Portal.PublishedAsync(price: 0);
        Bought = listing.ProjectId;
        await api.PurchaseOkAsync(Bought);
        var review = await api.ReviewAsync(Bought, 4, "Fine", "A fine project");
        Assert.Equal(HttpStatusCode.Created, review.StatusCode);
        Review = (await review.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        var admin = Api(Admin);
        var mcp = await admin.PostJsonAsync("/api/admin/mcp-servers", new { name = "Hostile MCP", transport = "http", endpoint = "https://mcp.example.com/mcp" });
        Assert.True(mcp.StatusCode == HttpStatusCode.Created, await mcp.Content.ReadAsStringAsync());
        McpServer = (await mcp.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        var flag = await admin.PostJsonAsync("/api/admin/features", new { name = Flag, description = "Hostile", state = "off" });
        Assert.True(flag.StatusCode == HttpStatusCode.Created, await flag.Content.ReadAsStringAsync());
    }

    public HttpClient Api(TestUser? user) => Portal.CreateApiClient(user?.Token);

    /// <summary>
    /// Rows in every table of the database, blob index included: what a refused request must leave as it was.
    /// The content store's rows count only when some reference holds them: a body streamed into the store
    /// before it turned out bad leaves unreferenced chunks, which are garbage by design (collected after a
    /// grace period, since a concurrent writer of the same bytes may not have added its reference yet).
    /// </summary>
    public Task<Dictionary<string, long>> CountRowsAsync() => Portal.WithDbAsync(async db =>
    {
        var counts = new Dictionary<string, long>();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        try
        {
            var tables = new List<string>();
            await using (var list = connection.CreateCommand())
            {
                list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts%' AND name NOT LIKE 'hangfire%'";
                await using var reader = await list.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                    tables.Add(reader.GetString(0));
            }
            var referenced = new Dictionary<string, string>
            {
                ["StoredBlobs"] = "SELECT COUNT(*) FROM StoredBlobs WHERE Sha256 IN (SELECT BlobSha256 FROM BlobReferences)",
                ["BlobChunks"] = "SELECT COUNT(*) FROM BlobChunks WHERE BlobSha256 IN (SELECT BlobSha256 FROM BlobReferences)",
                ["StoredChunks"] = "SELECT COUNT(*) FROM StoredChunks WHERE Sha256 IN (SELECT c.ChunkSha256 FROM BlobChunks c JOIN BlobReferences r ON r.BlobSha256 = c.BlobSha256)",
                // A refused body may have been stored before it was read to the end: its pack holds only unreferenced chunks, garbage for the collector.
                ["StoredPacks"] = "SELECT COUNT(*) FROM StoredPacks p WHERE EXISTS (SELECT 1 FROM StoredChunks s JOIN BlobChunks c ON c.ChunkSha256 = s.Sha256 JOIN BlobReferences r ON r.BlobSha256 = c.BlobSha256 WHERE s.PackId = p.Id)",
            };
            foreach (var table in tables)
            {
                await using var count = connection.CreateCommand();
                count.CommandText = referenced.GetValueOrDefault(table) ?? $"SELECT COUNT(*) FROM \"{table}\"";
                counts[table] = Convert.ToInt64(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        return counts;
    });

    public async ValueTask DisposeAsync() => await Portal.DisposeAsync();
}
