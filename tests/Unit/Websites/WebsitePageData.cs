using System.Text;
using System.Text.Json;
using Catalyst.Data.Deployments;
using Catalyst.Data.Outbox;
using Catalyst.Data.Websites;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Websites;

/// <summary>Arranges websites, content and data versions through the services, for the page tests.</summary>
public static class WebsitePageData
{
    public static Task<Website> CreateWebsiteAsync(this PortalFactory portal, TestUser owner, string name, string? category = null) =>
        portal.WithScopeAsync(sp => sp.GetRequiredService<WebsiteService>()
            .CreateAsync(owner.Actor, new WebsiteInput(name, UniqueSlug(name), "Owner's secret plans", category, null), CancellationToken.None));

    private static string UniqueSlug(string name)
    {
        var slug = WebsiteRules.Slugify(name);
        return $"{slug[..Math.Min(slug.Length, 60)].TrimEnd('-')}-{Guid.NewGuid():N}";
    }

    public static Task<ContentType> CreateTypeAsync(this PortalFactory portal, TestUser owner, Guid websiteId, string name, params ContentField[] fields) =>
        portal.WithScopeAsync(sp => sp.GetRequiredService<ContentModelService>()
            .CreateTypeAsync(owner.Actor, websiteId, new ContentTypeInput(name, null, fields), CancellationToken.None));

    public static Task<ContentItem> CreateItemAsync(this PortalFactory portal, TestUser owner, Guid websiteId, Guid typeId, object data, ContentItemStatus status = ContentItemStatus.Draft) =>
        portal.WithScopeAsync(sp => sp.GetRequiredService<ContentModelService>()
            .CreateItemAsync(owner.Actor, websiteId, new ContentItemInput(typeId, JsonSerializer.SerializeToElement(data), status), CancellationToken.None));

    /// <summary>PUTs <paramref name="json"/> as if from the API, based on <paramref name="expected"/>; returns the version created.</summary>
    public static Task<DataWriteResult> PutDataAsync(this PortalFactory portal, TestUser owner, Guid websiteId, int expected, string json) =>
        portal.WithScopeAsync(sp => sp.GetRequiredService<WebsiteDataService>()
            .PutAsync(owner.Actor, websiteId, expected, new MemoryStream(Encoding.UTF8.GetBytes(json)), WebsiteDataSources.Api, CancellationToken.None));

    public static Task<int> CurrentVersionAsync(this PortalFactory portal, Guid websiteId) =>
        portal.WithDbAsync(db => db.Set<WebsiteDataHead>().Where(h => h.WebsiteId == websiteId).Select(h => h.CurrentVersion).SingleAsync(TestContext.Current.CancellationToken));

    public static Task<int> VersionCountAsync(this PortalFactory portal, Guid websiteId) =>
        portal.WithDbAsync(db => db.Set<WebsiteDataVersion>().CountAsync(v => v.WebsiteId == websiteId, TestContext.Current.CancellationToken));

    /// <summary>
    /// A website with a type (title required, body), a second empty type, an item, data v1 and v2
    /// (current), a conflict backup v3 based on v1, and a deployment config (to a host no test
    /// resolves) with one failed run.
    /// </summary>
    public static async Task<FullWebsite> CreateFullWebsiteAsync(this PortalFactory portal, TestUser owner, string? name = null)
    {
        var website = await portal.CreateWebsiteAsync(owner, name ?? $"Site {Guid.NewGuid():N}"[..20], "blog");
        var type = await portal.CreateTypeAsync(owner, website.Id, "Post",
            new ContentField("title", FieldTypes.Text, Required: true), new ContentField("body", FieldTypes.RichText));
        var spare = await portal.CreateTypeAsync(owner, website.Id, "Spare");
        var item = await portal.CreateItemAsync(owner, website.Id, type.Id, new { title = "Hello world", body = "First post" });
        await portal.PutDataAsync(owner, website.Id, 0, """{"content":{"title":"First","pages":[1,2]},"assets":[],"aiContext":null}""");
        await portal.PutDataAsync(owner, website.Id, 1, """{"content":{"title":"Second","pages":[1,2,3]}}""");
        await portal.PutDataAsync(owner, website.Id, 1, """{"content":{"title":"Offline edit","pages":[1]}}""");
        var deployment = await portal.WithScopeAsync(sp => sp.GetRequiredService<DeploymentService>().CreateConfigAsync(owner.Actor, website.Id,
            new DeploymentConfigInput("Production", "webhook", "https://deploy.example.com/hook", null), "full-website-deploy-credential", CancellationToken.None));
        var failedRun = await portal.InsertFailedRunAsync(deployment.Config);
        return new FullWebsite(website, type, spare, item, deployment.Config.Id, failedRun);
    }

    /// <summary>A deployment run that failed (with its finished outbox row), as if its retries had run out.</summary>
    public static Task<Guid> InsertFailedRunAsync(this PortalFactory portal, DeploymentConfig config) => portal.WithDbAsync(async db =>
    {
        var operation = new SyncOperation
        {
            Id = Guid.CreateVersion7(), Kind = SyncOperationKinds.Deployment, PayloadRef = "", Status = SyncOperationStatus.Failed, Attempts = 6,
            IdempotencyKey = "dep_" + Guid.NewGuid().ToString("N"), LastError = "The endpoint answered 503 Service Unavailable.",
        };
        var run = new DeploymentRun
        {
            Id = Guid.CreateVersion7(), ConfigId = config.Id, WebsiteId = config.WebsiteId, Status = DeploymentRunStatus.Failed, Attempts = 6,
            SyncOperationId = operation.Id, Error = operation.LastError, StartedAt = DateTime.UtcNow, FinishedAt = DateTime.UtcNow,
        };
        operation.PayloadRef = run.Id.ToString();
        db.Set<SyncOperation>().Add(operation);
        db.Set<DeploymentRun>().Add(run);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return run.Id;
    });
}

public sealed record FullWebsite(Website Website, ContentType Type, ContentType Spare, ContentItem Item, Guid Deployment, Guid FailedRun)
{
    public Guid Id => Website.Id;
}
