using System.Text.Json;
using Catalyst.Data;
using Catalyst.Data.Assets;
using Catalyst.Data.Chat;
using Catalyst.Data.Common;
using Catalyst.Data.LegacyImport;
using Catalyst.Data.LegacyImport.Reading;
using Catalyst.Data.Projects;
using Catalyst.Data.Storage;
using Catalyst.Data.Websites;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.LegacyImport;

/// <summary>Runs migrations through the real services of the shared Portal, with a given dump reader.</summary>
public sealed class LegacyHarness(PortalFactory portal, ILegacyDumpReader? reader = null)
{
    private readonly ILegacyDumpReader _reader = reader ?? new FakeLegacyReader();

    public LegacyImportService Service(IServiceProvider sp) =>
        new(sp.GetRequiredService<CatalystDbContext>(), sp.GetRequiredService<ContentStore>(), sp, TimeProvider.System, _reader);

    public Task<Guid> CreateAsync(Actor requester, Guid ownerId, IReadOnlyList<(string Name, byte[] Bytes)> files, bool dryRun) =>
        portal.WithScopeAsync(async sp =>
        {
            var content = sp.GetRequiredService<ContentStore>();
            var inputs = new List<LegacyInputFile>();
            foreach (var (name, bytes) in files)
            {
                var blob = await content.WriteAsync(new MemoryStream(bytes), CancellationToken.None);
                inputs.Add(new LegacyInputFile(name, blob.Sha256, blob.Length));
            }
            return (await Service(sp).CreateAsync(requester, ownerId, inputs, dryRun, CancellationToken.None)).Id;
        });

    public async Task<(Guid Id, LegacyReport Report)> RunAsync(TestUser user, IReadOnlyList<(string Name, byte[] Bytes)> files, bool dryRun)
    {
        var id = await CreateAsync(user.Actor, user.Id, files, dryRun);
        return (id, await RunAsync(id));
    }

    public Task<LegacyReport> RunAsync(Guid id) =>
        portal.WithScopeAsync(sp => Service(sp).RunAsync(id, (_, _) => Task.CompletedTask, CancellationToken.None));

    public Task<LegacyVerification> VerifyAsync(Guid id) =>
        portal.WithScopeAsync(sp => Service(sp).VerifyAsync(id, (_, _) => Task.CompletedTask, CancellationToken.None));

    public Task RollbackAsync(Guid id) =>
        portal.WithScopeAsync(sp => Service(sp).RollbackAsync(id, (_, _) => Task.CompletedTask, CancellationToken.None));

    /// <summary>
    /// Every row of every table a migration of this user can touch, as text: websites with their
    /// types, items, data versions and blob references, assets and their references, projects,
    /// chat sessions and messages, preferences.
    /// </summary>
    public Task<string> SnapshotAsync(Guid userId) => portal.WithDbAsync(async db =>
    {
        var websites = await db.Set<Website>().AsNoTracking().Where(w => w.OwnerId == userId).OrderBy(w => w.Id).ToListAsync();
        var websiteIds = websites.Select(w => w.Id).ToList();
        var assets = await db.Set<Asset>().AsNoTracking().Where(a => a.OwnerId == userId).OrderBy(a => a.Id).ToListAsync();
        var assetOwners = assets.Select(a => a.Id.ToString()).ToList();
        var versions = await db.Set<WebsiteDataVersion>().AsNoTracking().Where(v => websiteIds.Contains(v.WebsiteId)).OrderBy(v => v.WebsiteId).ThenBy(v => v.Version).ToListAsync();
        var versionPrefixes = websiteIds.Select(id => id.ToString("N")).ToList();
        var references = (await db.Set<BlobReference>().AsNoTracking()
                .Where(r => (r.OwnerType == BlobOwnerTypes.Asset && assetOwners.Contains(r.OwnerId)) || r.OwnerType == BlobOwnerTypes.WebsiteDataVersion)
                .Select(r => new { r.OwnerType, r.OwnerId, r.BlobSha256 }).ToListAsync())
            .Where(r => r.OwnerType == BlobOwnerTypes.Asset || versionPrefixes.Any(p => r.OwnerId.StartsWith(p, StringComparison.Ordinal)))
            .OrderBy(r => r.OwnerType, StringComparer.Ordinal).ThenBy(r => r.OwnerId, StringComparer.Ordinal).ToList();
        var sessions = await db.ChatSessions.AsNoTracking().Where(s => s.UserId == userId).OrderBy(s => s.Id).ToListAsync();
        var sessionIds = sessions.Select(s => s.Id).ToList();
        var snapshot = new
        {
            websites = websites.Select(w => new { w.Id, w.Name, w.Slug, w.Description, w.Category, w.Metadata, w.CreatedAt, w.Version }),
            types = await db.Set<ContentType>().AsNoTracking().Where(t => websiteIds.Contains(t.WebsiteId)).OrderBy(t => t.Id).ToListAsync(),
            items = await db.Set<ContentItem>().AsNoTracking().Where(i => websiteIds.Contains(i.WebsiteId)).OrderBy(i => i.Id).ToListAsync(),
            heads = await db.Set<WebsiteDataHead>().AsNoTracking().Where(h => websiteIds.Contains(h.WebsiteId)).OrderBy(h => h.WebsiteId).ToListAsync(),
            versions,
            assets,
            references,
            projects = (await db.Projects.AsNoTracking().Where(p => p.OwnerId == userId).OrderBy(p => p.Id).ToListAsync())
                .Select(p => new { p.Id, p.Name, p.Description, p.Status, p.Tags, p.CreatedAt, p.Version }),
            sessions = sessions.Select(s => new { s.Id, s.Title, s.ProjectId, s.MessageCount, s.LastMessageAt, s.Version }),
            messages = (await db.ChatMessages.AsNoTracking().Where(m => sessionIds.Contains(m.SessionId)).OrderBy(m => m.Id).ToListAsync())
                .Select(m => new { m.Id, m.SessionId, m.Role, m.Content, m.ClientId, m.CreatedAt }),
            preferences = await db.Set<UserPreferences>().AsNoTracking().Where(p => p.UserId == userId).Select(p => p.Preferences).FirstOrDefaultAsync(),
        };
        return JsonSerializer.Serialize(snapshot, new JsonSerializerOptions(JsonSerializerOptions.Web) { WriteIndented = true });
    });

    /// <summary>Row counts of every table a migration writes, and the stored blobs: what a dry run must leave unchanged.</summary>
    public Task<string> CountsAsync() => portal.WithDbAsync(async db => JsonSerializer.Serialize(new
    {
        websites = await db.Set<Website>().CountAsync(),
        types = await db.Set<ContentType>().CountAsync(),
        items = await db.Set<ContentItem>().CountAsync(),
        versions = await db.Set<WebsiteDataVersion>().CountAsync(),
        assets = await db.Set<Asset>().CountAsync(),
        projects = await db.Projects.CountAsync(),
        sessions = await db.ChatSessions.CountAsync(),
        messages = await db.ChatMessages.CountAsync(),
        preferences = await db.Set<UserPreferences>().CountAsync(),
        references = await db.Set<BlobReference>().Where(r => r.OwnerType != LegacyImportService.InputOwnerType).CountAsync(),
        blobs = await db.Set<StoredBlob>().CountAsync(),
        keys = await db.Set<LegacySourceKey>().CountAsync(),
    }));
}
