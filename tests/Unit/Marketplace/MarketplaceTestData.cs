using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Catalyst.Data;
using Catalyst.Data.Assets;
using Catalyst.Data.Storage;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Marketplace;

/// <summary>A published project of a fresh seller, with the package bytes when it has one.</summary>
public sealed record Listing(TestUser Seller, HttpClient SellerApi, Guid ProjectId, string Name, byte[]? Package, Guid? PackageAssetId);

/// <summary>Builders for marketplace tests: sellers with published projects, buyers, purchases, downloads.</summary>
public static class MarketplaceTestData
{
    public static async Task<Guid> CreateProjectAsync(this HttpClient api, string name, string[]? tags = null)
    {
        var response = await api.PostJsonAsync("/api/projects", new { name, tags });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
    }

    /// <summary>Stores <paramref name="bytes"/> as an asset of <paramref name="owner"/> through the product's services.</summary>
    public static Task<Guid> CreateAssetAsync(this PortalFactory portal, TestUser owner, byte[] bytes, string fileName = "package.zip", string mediaType = "application/zip", Guid? projectId = null) =>
        portal.WithScopeAsync(async sp =>
        {
            var ct = TestContext.Current.CancellationToken;
            var blob = await sp.GetRequiredService<ContentStore>().WriteAsync(new MemoryStream(bytes), ct);
            var id = Guid.CreateVersion7();
            var db = sp.GetRequiredService<CatalystDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await sp.GetRequiredService<AssetService>().AddAsync(id, owner.Id, fileName, mediaType, blob, null, projectId, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return id;
        });

    /// <summary>A new seller and a published project (free when <paramref name="price"/> is 0), with a package unless told otherwise.</summary>
    public static async Task<Listing> PublishedAsync(this PortalFactory portal, long price = 1250, string currency = "EUR", string category = "templates",
        string? name = null, bool withPackage = true, string[]? tags = null, TestUser? seller = null)
    {
        seller ??= await portal.CreateUserAsync("seller");
        var api = portal.CreateApiClient(seller.Token);
        name ??= $"Listing {Guid.NewGuid():N}"[..24];
        var projectId = await api.CreateProjectAsync(name, tags);
        byte[]? bytes = null;
        Guid? assetId = null;
        if (withPackage)
        {
            bytes = System.Text.Encoding.UTF8.GetBytes($"PK package of {name} " + new string('x', 5000) + Guid.NewGuid());
            assetId = await portal.CreateAssetAsync(seller, bytes, projectId: projectId);
        }
        var response = await api.PostJsonAsync($"/api/projects/{projectId}/publish", new { price, currency, category, packageAssetId = assetId });
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"publish answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return new Listing(seller, api, projectId, name, bytes, assetId);
    }

    public static async Task<JsonElement> PurchaseOkAsync(this HttpClient api, Guid projectId, string? idempotencyKey = null)
    {
        var response = await api.PurchaseAsync(projectId, idempotencyKey);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"purchase answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.ReadJsonAsync()).GetProperty("data");
    }

    public static async Task<HttpResponseMessage> PurchaseAsync(this HttpClient api, Guid projectId, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/marketplace/projects/{projectId}/purchase");
        if (idempotencyKey is not null)
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        return await api.SendAsync(request);
    }

    public static async Task<string> DownloadUrlAsync(this HttpClient api, Guid projectId)
    {
        var response = await api.PostAsync($"/api/marketplace/projects/{projectId}/download-token", null);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"download-token answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.ReadJsonAsync()).GetProperty("data").GetProperty("url").GetString()!;
    }

    public static Task<HttpResponseMessage> ReviewAsync(this HttpClient api, Guid projectId, int rating, string? title = null, string? body = null) =>
        api.PostAsJsonAsync($"/api/marketplace/projects/{projectId}/reviews", new { rating, title, body });

    public static async Task<JsonElement> ListingAsync(this HttpClient api, Guid projectId)
    {
        var response = await api.GetAsync($"/api/marketplace/projects/{projectId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("data");
    }

    public static List<Guid> Ids(this JsonElement page) =>
        page.GetProperty("data").EnumerateArray().Select(p => p.GetProperty("id").GetGuid()).ToList();
}
