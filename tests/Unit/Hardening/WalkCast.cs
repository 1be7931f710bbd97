using Catalyst.Data.Storage;
using System.Net;
using Catalyst.Data.Chat;
using Catalyst.Data.Jobs;
using Catalyst.Data.Projects;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Tests.Unit.Jobs;
using Catalyst.Tests.Unit.Marketplace;
using Catalyst.Tests.Unit.Uploads;
using Catalyst.Tests.Unit.Websites;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Hardening;

/// <summary>
/// The cast of the authorization walk: an owner (a plain user) holding one resource of every kind,
/// another user, an admin, and anonymous; each with an API client and a signed-in browser. Shared
/// resources serve the calls that change nothing lasting; the New… builders give destructive calls
/// (deletes, cancels, refunds) a resource of their own, so one actor's call never hides another's.
/// </summary>
public sealed class WalkCast(PortalFactory portal)
    : UserCast(portal, [new(Owner, "walk-owner"), new(Other, "walk-other"), new(Admin, "walk-admin", Admin: true)]), IAsyncLifetime
{
    public const string Anonymous = Catalyst.Tests.Support.Actors.Anonymous;
    public const string Owner = Catalyst.Tests.Support.Actors.Owner;
    public const string Other = Catalyst.Tests.Support.Actors.Other;
    public const string Admin = Catalyst.Tests.Support.Actors.Admin;
    public static readonly string[] Actors = [Anonymous, Other, Owner, Admin];

    public PortalFactory Portal => portal;
    public TestUser OwnerUser => Member(Owner);
    public TestUser OtherUser => Member(Other);
    public TestUser AdminUser => Member(Admin);

    public Guid Project { get; private set; }
    public FullWebsite Website { get; private set; } = null!;
    public Guid Session { get; private set; }
    public Guid Asset { get; private set; }
    public Guid Job { get; private set; }
    public Guid Token { get; private set; }
    public string Upload { get; private set; } = "";
    /// <summary>A project of a third seller, bought and reviewed by the owner.</summary>
    public Listing Bought { get; private set; } = null!;
    public Guid Purchase { get; private set; }
    public Guid Review { get; private set; }
    /// <summary>A project the owner sells.</summary>
    public Guid Sold { get; private set; }
    public Guid McpServer { get; private set; }
    /// <summary>A legacy migration of the owner (a dry run: verify and rollback answer 409 to those allowed to see it).</summary>
    public Guid Migration { get; private set; }
    public string Flag { get; } = $"walk.flag{Guid.NewGuid():N}"[..20];

    public new async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();

        Project = await NewProjectAsync();
        Website = await portal.CreateFullWebsiteAsync(OwnerUser, "Walked site");
        Session = await NewSessionAsync();
        Asset = await NewAssetAsync();
        Job = await NewJobWithResultAsync();
        Token = await NewTokenAsync();
        Upload = await NewUploadAsync();
        Bought = await portal.PublishedAsync(price: 0);
        var ownerApi = Api(Owner);
        Purchase = (await ownerApi.PurchaseOkAsync(Bought.ProjectId)).GetProperty("id").GetGuid();
        var review = await ownerApi.ReviewAsync(Bought.ProjectId, 4, "Walked", "A review by the owner");
        Assert.Equal(HttpStatusCode.Created, review.StatusCode);
        Review = (await review.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        Sold = (await portal.PublishedAsync(price: 0, seller: OwnerUser)).ProjectId;
        Migration = await portal.WithScopeAsync(async sp =>
        {
            var bytes = """{"theme":"dark"}"""u8.ToArray();
            var blob = await sp.GetRequiredService<Catalyst.Data.Storage.ContentStore>().WriteAsync(new MemoryStream(bytes), CancellationToken.None);
            return (await sp.GetRequiredService<Catalyst.Data.LegacyImport.LegacyImportService>().CreateAsync(OwnerUser.Actor, OwnerUser.Id,
                [new Catalyst.Data.LegacyImport.LegacyInputFile("localStorage.walk.json", blob.Sha256, blob.Length)], dryRun: true, CancellationToken.None)).Id;
        });
        McpServer = await portal.WithScopeAsync(async sp => (await sp.GetRequiredService<Catalyst.Data.Mcp.McpServerService>().CreateAsync(AdminUser.Actor,
            new Catalyst.Data.Mcp.McpServerInput($"Walk MCP {Guid.NewGuid():N}", "A server", Catalyst.Data.Mcp.McpTransport.Http, "https://mcp.example.com/mcp", null, null),
            "walk-credential-1234", CancellationToken.None)).Server.Id);
        await portal.WithScopeAsync(sp => sp.GetRequiredService<Catalyst.Data.Features.FeatureFlagService>().CreateAsync(AdminUser.Actor,
            new Catalyst.Data.Features.FeatureFlagInput(Flag, "Walked", Catalyst.Data.Features.FeatureFlagState.Off, 0, null, null), CancellationToken.None));
    }

    public Task<Guid> NewProjectAsync() => portal.WithScopeAsync(async sp => (await sp.GetRequiredService<ProjectService>()
        .CreateAsync(OwnerUser.Actor, new ProjectInput($"Walked {Guid.NewGuid():N}"[..20], null, [], null), CancellationToken.None)).Id);

    public async Task<Guid> NewWebsiteAsync() => (await portal.CreateWebsiteAsync(OwnerUser, $"Walk {Guid.NewGuid():N}"[..16])).Id;

    public async Task<Guid> NewTypeAsync() => (await portal.CreateTypeAsync(OwnerUser, Website.Id, $"Type{Guid.NewGuid():N}"[..12])).Id;

    public async Task<Guid> NewItemAsync() => (await portal.CreateItemAsync(OwnerUser, Website.Id, Website.Type.Id, new { title = "Walked item" })).Id;

    public Task<Guid> NewSessionAsync() => portal.WithScopeAsync(async sp => (await sp.GetRequiredService<ChatService>()
        .CreateSessionAsync(OwnerUser.Actor, new ChatSessionInput("Walked chat", null), CancellationToken.None)).Id);

    public Task<Guid> NewAssetAsync() =>
        portal.CreateAssetAsync(OwnerUser, System.Text.Encoding.UTF8.GetBytes($"walked asset {Guid.NewGuid()}"), "walk.txt", "text/plain");

    /// <summary>A finished job of the owner holding a result file, as an export leaves it.</summary>
    public Task<Guid> NewJobWithResultAsync() => portal.WithScopeAsync(async sp =>
    {
        var ct = CancellationToken.None;
        var blob = await sp.GetRequiredService<Catalyst.Data.Storage.ContentStore>().WriteAsync(new MemoryStream("walked result"u8.ToArray()), ct);
        var run = await portal.InsertRunAsync(OwnerUser.Id, JobRunStatus.Succeeded, new { ownerId = OwnerUser.Id });
        var file = await sp.GetRequiredService<JobResultFiles>().KeepAsync(run.Id, blob, "walk.txt", "text/plain", ct);
        var db = sp.GetRequiredService<Catalyst.Data.CatalystDbContext>();
        var stored = await db.JobRuns.FindAsync([run.Id], ct);
        stored!.Result = System.Text.Json.JsonSerializer.Serialize(new { file }, System.Text.Json.JsonSerializerOptions.Web);
        await db.SaveChangesAsync(ct);
        return run.Id;
    });

    public async Task<Guid> NewJobAsync() => (await portal.InsertRunAsync(OwnerUser.Id, JobRunStatus.Failed, new { ownerId = OwnerUser.Id })).Id;

    public Task<Guid> NewTokenAsync() => portal.WithScopeAsync(async sp => (await sp.GetRequiredService<Catalyst.Data.Tokens.ApiTokenService>()
        .CreateAsync(OwnerUser.Id, $"walk-{Guid.NewGuid():N}"[..16], null, CancellationToken.None)).Token.Id);

    public Task<string> NewUploadAsync() => new TusClient(Api(Owner)).CreateOrFailAsync(1024);

    public async Task<Guid> NewReviewAsync()
    {
        var listing = await portal.PublishedAsync(price: 0);
        var api = Api(Owner);
        await api.PurchaseOkAsync(listing.ProjectId);
        var response = await api.ReviewAsync(listing.ProjectId, 5, "Fresh", "A review to delete");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
    }

    public async Task<Guid> NewPurchaseAsync()
    {
        var listing = await portal.PublishedAsync(price: 500);
        return (await Api(Owner).PurchaseOkAsync(listing.ProjectId)).GetProperty("id").GetGuid();
    }

    public async Task<Guid> NewListingAsync() => (await portal.PublishedAsync(price: 0, seller: OwnerUser, withPackage: false)).ProjectId;

    public async Task<Guid> NewDeploymentConfigAsync() => (await portal.WithScopeAsync(sp => sp.GetRequiredService<Catalyst.Data.Deployments.DeploymentService>()
        .CreateConfigAsync(OwnerUser.Actor, Website.Id, new Catalyst.Data.Deployments.DeploymentConfigInput($"Walk {Guid.NewGuid():N}"[..12], "webhook", "https://deploy.example.com/hook", null),
            "walk-deploy-credential", CancellationToken.None))).Config.Id;

}
