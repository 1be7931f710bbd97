using System.Net;
using System.Text.Json;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Tests.Unit.Websites;

namespace Catalyst.Tests.Unit.Deployments;

/// <summary>SPEC §14 deployment configs: per website, under the website's resource rule, with a write-only credential.</summary>
public class DeploymentApiTests(PortalFactory portal)
{
    private static object Config(string name = "Production", string? credential = null) =>
        new { name, provider = "netlify", endpoint = "https://api.netlify.example/build_hooks/abc", settings = new { branch = "main" }, credential };

    [Fact]
    public async Task A_config_is_created_listed_updated_with_If_Match_and_deleted()
    {
        var (_, api, websiteId) = await portal.UserWithWebsiteAsync("configs");
        const string secret = "api-credential-value-WXYZ";

        var created = await api.PostJsonAsync($"/api/websites/{websiteId}/deployment-configs", Config(credential: secret));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.DoesNotContain(secret, await created.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var data = (await created.ReadJsonAsync()).GetProperty("data");
        var id = data.GetProperty("id").GetGuid();
        Assert.Equal($"/api/deployment-configs/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal("main", data.GetProperty("settings").GetProperty("branch").GetString());
        Assert.Equal("••••••••WXYZ", data.GetProperty("credential").GetProperty("masked").GetString());

        var list = (await (await api.GetAsync($"/api/websites/{websiteId}/deployment-configs")).ReadJsonAsync()).GetProperty("data");
        Assert.Equal(id, Assert.Single(list.EnumerateArray()).GetProperty("id").GetGuid());

        await (await api.SendJsonAsync(HttpMethod.Put, $"/api/deployment-configs/{id}", new { name = "Prod" })).AssertProblemAsync(HttpStatusCode.PreconditionRequired, "precondition_required");
        var updated = await api.SendJsonAsync(HttpMethod.Put, $"/api/deployment-configs/{id}", new { name = "Prod", credential = "rotated-credential-value-ROTA" }, "\"1\"");
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var after = (await updated.ReadJsonAsync()).GetProperty("data");
        Assert.Equal("Prod", after.GetProperty("name").GetString());
        Assert.Equal("netlify", after.GetProperty("provider").GetString());
        Assert.Equal("••••••••ROTA", after.GetProperty("credential").GetProperty("masked").GetString());
        await (await api.SendJsonAsync(HttpMethod.Put, $"/api/deployment-configs/{id}", new { name = "Stale" }, "\"1\"")).AssertProblemAsync(HttpStatusCode.PreconditionFailed, "version_conflict");
        var removed = await api.SendJsonAsync(HttpMethod.Put, $"/api/deployment-configs/{id}", new { removeCredential = true }, "\"2\"");
        Assert.Equal(JsonValueKind.Null, (await removed.ReadJsonAsync()).GetProperty("data").GetProperty("credential").ValueKind);

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/deployment-configs/{id}")).StatusCode);
        await (await api.GetAsync($"/api/deployment-configs/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Theory]
    [InlineData("""{"provider":"webhook","endpoint":"https://hooks.example.com/x"}""", "name")]
    [InlineData("""{"name":"N","endpoint":"https://hooks.example.com/x"}""", "provider")]
    [InlineData("""{"name":"N","provider":"Web Hook!","endpoint":"https://hooks.example.com/x"}""", "provider")]
    [InlineData("""{"name":"N","provider":"webhook"}""", "endpoint")]
    [InlineData("""{"name":"N","provider":"webhook","endpoint":"https://hooks.example.com/x","settings":[1,2]}""", "settings")]
    [InlineData("""{"name":"N","provider":"webhook","endpoint":"https://hooks.example.com/x","credential":""}""", "credential")]
    public async Task Invalid_configs_answer_400_naming_the_field(string body, string field)
    {
        var (_, api, websiteId) = await portal.UserWithWebsiteAsync("configs");

        var problem = await (await api.SendRawAsync(HttpMethod.Post, $"/api/websites/{websiteId}/deployment-configs", body)).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Another_users_website_configs_and_runs_answer_404_and_an_admin_sees_them()
    {
        var (_, owner, websiteId) = await portal.UserWithWebsiteAsync("owner");
        var created = await owner.PostJsonAsync($"/api/websites/{websiteId}/deployment-configs", Config());
        var id = (await created.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        var runId = await portal.InsertFailedRunAsync(new Catalyst.Data.Deployments.DeploymentConfig { Id = id, WebsiteId = websiteId, Name = "x", Provider = "webhook", Endpoint = "https://x" });
        var other = portal.CreateApiClient((await portal.CreateUserAsync("other")).Token);
        var admin = portal.CreateApiClient((await portal.CreateUserAsync("admin", admin: true)).Token);

        foreach (var (method, url) in new[]
        {
            ("GET", $"/api/websites/{websiteId}/deployment-configs"), ("POST", $"/api/websites/{websiteId}/deployment-configs"),
            ("GET", $"/api/deployment-configs/{id}"), ("PUT", $"/api/deployment-configs/{id}"), ("DELETE", $"/api/deployment-configs/{id}"),
            ("POST", $"/api/deployment-configs/{id}/deploy"), ("GET", $"/api/deployment-configs/{id}/runs"),
            ("GET", $"/api/deployment-runs/{runId}"), ("POST", $"/api/deployment-runs/{runId}/retry"),
        })
        {
            var response = await other.SendJsonAsync(new HttpMethod(method), url, method is "POST" or "PUT" ? Config() : null, "\"1\"");
            await response.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        }
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/deployment-configs/{id}")).StatusCode);
        var runs = (await (await owner.GetAsync($"/api/deployment-configs/{id}/runs")).ReadJsonAsync());
        Assert.Equal(1, runs.GetProperty("meta").GetProperty("total").GetInt32());
        Assert.Equal("failed", runs.GetProperty("data")[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_website_backup_carries_the_configs_without_their_credentials()
    {
        var (_, api, websiteId) = await portal.UserWithWebsiteAsync("backup");
        const string secret = "backup-credential-value-BKUP";
        await api.PostJsonAsync($"/api/websites/{websiteId}/deployment-configs", Config("Exported", secret));

        var backup = await api.GetStringAsync($"/api/websites/{websiteId}/export", TestContext.Current.CancellationToken);

        Assert.DoesNotContain(secret, backup, StringComparison.Ordinal);
        Assert.DoesNotContain("BKUP", backup, StringComparison.Ordinal);
        var configs = JsonDocument.Parse(backup).RootElement.GetProperty("deploymentConfigs");
        var config = Assert.Single(configs.EnumerateArray());
        Assert.Equal("Exported", config.GetProperty("name").GetString());
        Assert.Equal("main", config.GetProperty("settings").GetProperty("branch").GetString());
        Assert.False(config.TryGetProperty("credential", out _));
    }

    [Fact]
    public async Task Deleting_a_website_takes_its_configs_credentials_and_runs_with_it()
    {
        var (_, api, websiteId) = await portal.UserWithWebsiteAsync("cascade");
        var created = await api.PostJsonAsync($"/api/websites/{websiteId}/deployment-configs", Config(credential: "cascade-credential-value-1234"));
        var id = (await created.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/websites/{websiteId}")).StatusCode);

        Assert.False(await portal.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AnyAsync(
            db.Set<Catalyst.Data.Secrets.Credential>(), c => c.DeploymentConfigId == id, TestContext.Current.CancellationToken)));
    }
}
