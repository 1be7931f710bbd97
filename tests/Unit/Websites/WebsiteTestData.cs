using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Catalyst.Tests.Unit.Infrastructure;

namespace Catalyst.Tests.Unit.Websites;

/// <summary>Helpers for website tests: a user with a website, and raw JSON bodies.</summary>
public static class WebsiteTestData
{
    public static async Task<(TestUser User, HttpClient Api, Guid WebsiteId)> UserWithWebsiteAsync(this PortalFactory portal, string name = "site")
    {
        var user = await portal.CreateUserAsync(name);
        var api = portal.CreateApiClient(user.Token);
        var response = await api.PostAsJsonAsync("/api/websites", new { name = $"{name} {Guid.NewGuid():N}"[..30] });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        return (user, api, id);
    }

    public static async Task<HttpResponseMessage> PutDataAsync(this HttpClient api, Guid websiteId, string json, string? ifMatch)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/websites/{websiteId}/data") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (ifMatch is not null)
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return await api.SendAsync(request);
    }

    public static async Task<HttpResponseMessage> PatchDataAsync(this HttpClient api, Guid websiteId, string json, string? ifMatch)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/websites/{websiteId}/data") { Content = new StringContent(json, Encoding.UTF8) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/merge-patch+json");
        if (ifMatch is not null)
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return await api.SendAsync(request);
    }

    public static async Task<JsonElement> GetDataAsync(this HttpClient api, Guid websiteId, string? fields = null)
    {
        var response = await api.GetAsync($"/api/websites/{websiteId}/data" + (fields is null ? "" : $"?fields={fields}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("data");
    }

    public static string Etag(this HttpResponseMessage response) => response.Headers.ETag!.ToString();
}
