using System.Net;
using System.Text.Json;
using Catalyst.Data.Secrets;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Mcp;

/// <summary>SPEC §14 MCP servers: admin-only CRUD, soft delete and restore, names unique among live rows, transports, a write-only credential.</summary>
public class McpServerApiTests(PortalFactory portal)
{
    private static string Unique(string name) => $"{name} {Guid.NewGuid():N}"[..(name.Length + 9)];

    private async Task<(HttpClient Api, TestUser Admin)> AdminApiAsync()
    {
        var admin = await portal.CreateUserAsync("mcp-admin", admin: true);
        return (portal.CreateApiClient(admin.Token), admin);
    }

    private static async Task<JsonElement> CreateAsync(HttpClient api, object body)
    {
        var response = await api.PostJsonAsync("/api/admin/mcp-servers", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.ReadJsonAsync()).GetProperty("data");
    }

    [Fact]
    public async Task An_admin_creates_reads_updates_and_lists_a_server()
    {
        var (api, _) = await AdminApiAsync();
        var name = Unique("Files");

        var response = await api.PostJsonAsync("/api/admin/mcp-servers", new { name, description = "Reads files", transport = "stdio", command = "npx -y server-files /data" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var data = (await response.ReadJsonAsync()).GetProperty("data");
        var id = data.GetProperty("id").GetGuid();
        Assert.Equal($"/api/admin/mcp-servers/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", response.Headers.ETag?.ToString());
        Assert.Equal("stdio", data.GetProperty("transport").GetString());
        Assert.Equal("active", data.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, data.GetProperty("credential").ValueKind);

        var updated = await api.SendJsonAsync(HttpMethod.Put, $"/api/admin/mcp-servers/{id}", new { transport = "http", endpoint = "https://files.example.com/mcp" }, "\"1\"");
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var after = (await updated.ReadJsonAsync()).GetProperty("data");
        Assert.Equal("http", after.GetProperty("transport").GetString());
        Assert.Equal(JsonValueKind.Null, after.GetProperty("command").ValueKind);
        Assert.Equal(name, after.GetProperty("name").GetString());

        var list = await (await api.GetAsync($"/api/admin/mcp-servers?q={Uri.EscapeDataString(name)}")).ReadJsonAsync();
        Assert.Equal(id, Assert.Single(list.GetProperty("data").EnumerateArray()).GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task PUT_requires_If_Match_and_refuses_a_stale_one()
    {
        var (api, _) = await AdminApiAsync();
        var id = (await CreateAsync(api, new { name = Unique("Etag"), transport = "sse", endpoint = "https://sse.example.com/events" })).GetProperty("id").GetGuid();

        await (await api.SendJsonAsync(HttpMethod.Put, $"/api/admin/mcp-servers/{id}", new { description = "x" })).AssertProblemAsync(HttpStatusCode.PreconditionRequired, "precondition_required");
        Assert.Equal(HttpStatusCode.OK, (await api.SendJsonAsync(HttpMethod.Put, $"/api/admin/mcp-servers/{id}", new { description = "x" }, "\"1\"")).StatusCode);
        await (await api.SendJsonAsync(HttpMethod.Put, $"/api/admin/mcp-servers/{id}", new { description = "y" }, "\"1\"")).AssertProblemAsync(HttpStatusCode.PreconditionFailed, "version_conflict");
    }

    [Theory]
    [InlineData("""{"name":"N","transport":"stdio"}""", "command")]
    [InlineData("""{"name":"N","transport":"http"}""", "endpoint")]
    [InlineData("""{"name":"N","transport":"sse","endpoint":"/relative/path"}""", "endpoint")]
    [InlineData("""{"name":"N","transport":"http","endpoint":"ftp://files.example.com"}""", "endpoint")]
    [InlineData("""{"name":"N","transport":"carrier-pigeon","endpoint":"https://x.example.com"}""", "transport")]
    [InlineData("""{"name":"N","endpoint":"https://x.example.com"}""", "transport")]
    [InlineData("""{"name":"","transport":"http","endpoint":"https://x.example.com"}""", "name")]
    [InlineData("""{"name":"N","transport":"http","endpoint":"https://x.example.com","credential":"line\nbreak"}""", "credential")]
    public async Task Transport_specific_validation_answers_400_naming_the_field(string body, string field)
    {
        var (api, _) = await AdminApiAsync();
        body = body.Replace("\"N\"", $"\"{Unique("Invalid")}\"", StringComparison.Ordinal);

        var problem = await (await api.SendRawAsync(HttpMethod.Post, "/api/admin/mcp-servers", body)).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}: {problem}");
    }

    [Fact]
    public async Task Names_are_unique_among_live_servers_whatever_their_case_and_a_deleted_servers_name_is_free_again()
    {
        var (api, _) = await AdminApiAsync();
        var name = Unique("Shared");
        var first = (await CreateAsync(api, new { name, transport = "http", endpoint = "https://a.example.com/mcp" })).GetProperty("id").GetGuid();

        await (await api.PostJsonAsync("/api/admin/mcp-servers", new { name = name.ToUpperInvariant(), transport = "http", endpoint = "https://b.example.com/mcp" }))
            .AssertProblemAsync(HttpStatusCode.Conflict, "name_taken");

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/admin/mcp-servers/{first}")).StatusCode);
        var second = (await CreateAsync(api, new { name, transport = "http", endpoint = "https://b.example.com/mcp" })).GetProperty("id").GetGuid();
        Assert.NotEqual(first, second);

        // The first cannot come back while the second holds the name; once that one goes, it can.
        await (await api.PostAsync($"/api/admin/mcp-servers/{first}/restore", null)).AssertProblemAsync(HttpStatusCode.Conflict, "name_taken");
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/admin/mcp-servers/{second}")).StatusCode);
        var restored = await api.PostAsync($"/api/admin/mcp-servers/{first}/restore", null);
        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await restored.ReadJsonAsync()).GetProperty("data").GetProperty("deletedAt").ValueKind);
    }

    [Fact]
    public async Task Soft_delete_hides_a_server_unless_deleted_ones_are_asked_for_and_restore_brings_it_back()
    {
        var (api, _) = await AdminApiAsync();
        var name = Unique("Gone");
        var id = (await CreateAsync(api, new { name, transport = "http", endpoint = "https://gone.example.com/mcp", credential = "gone-credential-value-9876" })).GetProperty("id").GetGuid();

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/admin/mcp-servers/{id}")).StatusCode);

        var search = Uri.EscapeDataString(name);
        Assert.Empty((await (await api.GetAsync($"/api/admin/mcp-servers?q={search}")).ReadJsonAsync()).GetProperty("data").EnumerateArray());
        var withDeleted = (await (await api.GetAsync($"/api/admin/mcp-servers?q={search}&includeDeleted=true")).ReadJsonAsync()).GetProperty("data");
        Assert.NotEqual(JsonValueKind.Null, Assert.Single(withDeleted.EnumerateArray()).GetProperty("deletedAt").ValueKind);
        Assert.DoesNotContain(await (await portal.CreateApiClient((await portal.CreateUserAsync()).Token).GetAsync("/api/mcp-servers")).Content.ReadAsStringAsync(), id.ToString(), StringComparison.Ordinal);
        // The row and its credential are still there: a soft delete.
        Assert.True(await portal.WithDbAsync(db => db.Set<Credential>().AnyAsync(c => c.McpServerId == id, TestContext.Current.CancellationToken)));
        await (await api.SendJsonAsync(HttpMethod.Put, $"/api/admin/mcp-servers/{id}", new { description = "x" }, "\"2\"")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await api.DeleteAsync($"/api/admin/mcp-servers/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");

        var restored = await api.PostAsync($"/api/admin/mcp-servers/{id}/restore", null);
        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        Assert.Equal("••••••••9876", (await restored.ReadJsonAsync()).GetProperty("data").GetProperty("credential").GetProperty("masked").GetString());
        await (await api.PostAsync($"/api/admin/mcp-servers/{id}/restore", null)).AssertProblemAsync(HttpStatusCode.Conflict, "not_deleted");
    }

    [Fact]
    public async Task The_credential_is_write_only_answered_masked_and_rotated_under_the_same_row()
    {
        var (api, _) = await AdminApiAsync();
        const string first = "first-credential-value-AAAA";
        const string second = "second-credential-value-BBBB";
        var created = await api.PostJsonAsync("/api/admin/mcp-servers", new { name = Unique("Secret"), transport = "http", endpoint = "https://s.example.com/mcp", credential = first });
        var body = await created.Content.ReadAsStringAsync();
        Assert.DoesNotContain(first, body, StringComparison.Ordinal);
        var id = (await created.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        Assert.Equal("••••••••AAAA", (await created.ReadJsonAsync()).GetProperty("data").GetProperty("credential").GetProperty("masked").GetString());

        var rotated = await api.SendJsonAsync(HttpMethod.Put, $"/api/admin/mcp-servers/{id}/credential", new { value = second });

        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var text = await rotated.Content.ReadAsStringAsync();
        Assert.DoesNotContain(second, text, StringComparison.Ordinal);
        Assert.Equal("••••••••BBBB", (await rotated.ReadJsonAsync()).GetProperty("data").GetProperty("masked").GetString());
        foreach (var url in new[] { $"/api/admin/mcp-servers/{id}", "/api/admin/mcp-servers?includeDeleted=true&pageSize=100", "/api/mcp-servers" })
        {
            var answer = await (await api.GetAsync(url)).Content.ReadAsStringAsync();
            Assert.DoesNotContain(first, answer, StringComparison.Ordinal);
            Assert.DoesNotContain(second, answer, StringComparison.Ordinal);
        }
        Assert.Equal(1, await portal.WithDbAsync(db => db.Set<Credential>().CountAsync(c => c.McpServerId == id, TestContext.Current.CancellationToken)));
        await (await api.SendJsonAsync(HttpMethod.Put, $"/api/admin/mcp-servers/{id}/credential", new { value = "" })).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/admin/mcp-servers/{id}/credential")).StatusCode);
        Assert.Equal(JsonValueKind.Null, (await (await api.GetAsync($"/api/admin/mcp-servers/{id}")).ReadJsonAsync()).GetProperty("data").GetProperty("credential").ValueKind);
    }

    [Fact]
    public async Task Signed_in_users_list_the_active_servers_without_credentials_and_get_403_on_the_admin_API()
    {
        var (api, _) = await AdminApiAsync();
        var active = (await CreateAsync(api, new { name = Unique("Live"), transport = "http", endpoint = "https://live.example.com/mcp", credential = "live-credential-value-1111" })).GetProperty("id").GetGuid();
        var inactive = (await CreateAsync(api, new { name = Unique("Paused"), transport = "http", endpoint = "https://paused.example.com/mcp", status = "inactive" })).GetProperty("id").GetGuid();
        var user = await portal.CreateUserAsync();
        var userApi = portal.CreateApiClient(user.Token);

        var response = await userApi.GetAsync("/api/mcp-servers");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var servers = (await response.ReadJsonAsync()).GetProperty("data").EnumerateArray().ToList();
        var mine = Assert.Single(servers, s => s.GetProperty("id").GetGuid() == active);
        Assert.False(mine.TryGetProperty("credential", out _));
        Assert.DoesNotContain(servers, s => s.GetProperty("id").GetGuid() == inactive);
        Assert.DoesNotContain("live-credential", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await (await userApi.GetAsync("/api/admin/mcp-servers")).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await userApi.PostJsonAsync("/api/admin/mcp-servers", new { name = "x", transport = "stdio", command = "x" })).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await userApi.DeleteAsync($"/api/admin/mcp-servers/{active}")).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await userApi.PostAsync($"/api/admin/mcp-servers/{active}/restore", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await userApi.SendJsonAsync(HttpMethod.Put, $"/api/admin/mcp-servers/{active}/credential", new { value = "stolen-value-123456" })).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        // Activation is a PUT with the status.
        var activated = await api.SendJsonAsync(HttpMethod.Put, $"/api/admin/mcp-servers/{inactive}", new { status = "active" }, "\"1\"");
        Assert.Equal(HttpStatusCode.OK, activated.StatusCode);
        Assert.Contains((await (await userApi.GetAsync("/api/mcp-servers")).ReadJsonAsync()).GetProperty("data").EnumerateArray(), s => s.GetProperty("id").GetGuid() == inactive);
    }

    [Fact]
    public async Task Every_change_is_audited_and_the_credential_value_is_in_no_audit_entry()
    {
        var (api, admin) = await AdminApiAsync();
        const string secret = "audited-credential-value-7777";
        var id = (await CreateAsync(api, new { name = Unique("Audited"), transport = "http", endpoint = "https://a.example.com/mcp", credential = secret })).GetProperty("id").GetGuid();
        await api.SendJsonAsync(HttpMethod.Put, $"/api/admin/mcp-servers/{id}", new { status = "inactive" }, "\"1\"");
        await api.DeleteAsync($"/api/admin/mcp-servers/{id}");
        await api.PostAsync($"/api/admin/mcp-servers/{id}/restore", null);

        var entries = await portal.WithDbAsync(db => db.AuditEntries.Where(e => e.ActorId == admin.Id && e.Action != "token.create").OrderBy(e => e.At).ToListAsync(TestContext.Current.CancellationToken));

        var actions = entries.Select(e => e.Action).ToList();
        Assert.Equal(["mcp.create", "secret.write", "mcp.deactivate", "mcp.delete", "mcp.restore"], actions);
        Assert.All(entries, e => Assert.DoesNotContain(secret, e.Details ?? "", StringComparison.Ordinal));
    }
}
