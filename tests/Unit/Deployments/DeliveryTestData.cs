using System.Net;
using System.Text.Json;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Tests.Unit.Websites;

namespace Catalyst.Tests.Unit.Deployments;

/// <summary>Arranging deployments through the API, and waiting for runs.</summary>
public static class DeliveryTestData
{
    /// <summary>A user with a website holding some data and a deployment config to <paramref name="endpoint"/> with <paramref name="credential"/>.</summary>
    public static async Task<(HttpClient Api, Guid WebsiteId, Guid ConfigId)> ConfigAsync(this PortalFactory portal, string endpoint, string? credential = "deploy-credential-value-0000")
    {
        var (_, api, websiteId) = await portal.UserWithWebsiteAsync("deploy");
        Assert.Equal(HttpStatusCode.OK, (await api.PutDataAsync(websiteId, """{"content":{"title":"Deployed"},"assets":[],"aiContext":null}""", "\"0\"")).StatusCode);
        var response = await api.PostJsonAsync($"/api/websites/{websiteId}/deployment-configs", new { name = "Production", provider = "webhook", endpoint, credential });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (api, websiteId, (await response.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid());
    }

    public static async Task<Guid> DeployAsync(this HttpClient api, Guid configId)
    {
        var response = await api.PostAsync($"/api/deployment-configs/{configId}/deploy", null);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var run = (await response.ReadJsonAsync()).GetProperty("data");
        Assert.Equal($"/api/deployment-runs/{run.GetProperty("id").GetGuid()}", response.Headers.Location?.OriginalString);
        return run.GetProperty("id").GetGuid();
    }

    public static async Task<JsonElement> GetRunAsync(this HttpClient api, Guid runId) =>
        (await (await api.GetAsync($"/api/deployment-runs/{runId}")).ReadJsonAsync()).GetProperty("data");

    public static Task<JsonElement> WaitForRunAsync(this HttpClient api, Guid runId, string status, TimeSpan? timeout = null) =>
        Poll.UntilAsync(() => api.GetRunAsync(runId), run =>
        {
            var current = run.GetProperty("status").GetString();
            if (current != status && current is "succeeded" or "failed")
                Assert.Fail($"The run ended {current} instead of {status}: {run}");
            return current == status;
        }, timeout ?? TimeSpan.FromSeconds(60), $"deployment run {runId} to be {status}");
}
