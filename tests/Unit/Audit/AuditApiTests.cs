using System.Net;
using System.Text.Json;
using Catalyst.Data.Audit;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Audit;

/// <summary>SPEC §3/§14 audit log: sign-in failures, lockouts and tokens are recorded; admins filter and page it; nothing changes an entry.</summary>
public class AuditApiTests(PortalFactory portal)
{
    private async Task<HttpClient> AdminApiAsync() => portal.CreateApiClient((await portal.CreateUserAsync("auditor", admin: true)).Token);

    private static async Task<List<JsonElement>> EntriesAsync(HttpClient admin, string query)
    {
        var response = await admin.GetAsync($"/api/admin/audit?{query}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return [.. (await response.ReadJsonAsync()).GetProperty("data").EnumerateArray()];
    }

    [Fact]
    public async Task Failed_sign_ins_and_the_lockout_are_recorded_without_the_password()
    {
        var admin = await AdminApiAsync();
        var user = await portal.CreateUserAsync("locked");
        var anonymous = portal.CreateApiClient();
        const string wrong = "Wrong-Password-Typed-7";

        for (var i = 0; i < 5; i++)
            await anonymous.PostJsonAsync("/api/auth/token", new { email = user.Email, password = wrong, name = "cli" });

        var entries = await EntriesAsync(admin, $"user={user.Id}&entity=User&pageSize=50");
        Assert.Equal(5, entries.Count(e => e.GetProperty("action").GetString() == "signin.failed"));
        var lockout = Assert.Single(entries, e => e.GetProperty("action").GetString() == "signin.lockout");
        Assert.Equal(user.Email, lockout.GetProperty("actorEmail").GetString());
        Assert.Equal("api", lockout.GetProperty("details").GetProperty("channel").GetString());
        Assert.DoesNotContain(entries, e => e.ToString().Contains(wrong, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Token_creation_and_an_admins_revocation_are_recorded()
    {
        var admin = await AdminApiAsync();
        var user = await portal.CreateUserAsync("tokens");
        var issued = await portal.CreateApiClient().PostJsonAsync("/api/auth/token", new { email = user.Email, password = user.Password, name = "audited token" });
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var tokens = (await (await admin.GetAsync($"/api/admin/tokens?owner={Uri.EscapeDataString(user.Email)}")).ReadJsonAsync()).GetProperty("data");
        var tokenId = tokens.EnumerateArray().Single(t => t.GetProperty("name").GetString() == "audited token").GetProperty("id").GetGuid();

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/admin/tokens/{tokenId}")).StatusCode);

        var entries = await EntriesAsync(admin, "entity=ApiToken&pageSize=100");
        var mine = entries.Where(e => e.GetProperty("entityId").GetString() == tokenId.ToString()).ToList();
        Assert.Contains(mine, e => e.GetProperty("action").GetString() == "token.create" && e.GetProperty("actorId").GetGuid() == user.Id);
        var revoke = Assert.Single(mine, e => e.GetProperty("action").GetString() == "token.revoke");
        Assert.True(revoke.GetProperty("details").GetProperty("byAdmin").GetBoolean());
        var value = (await issued.ReadJsonAsync()).GetProperty("data").GetProperty("token").GetString()!;
        Assert.DoesNotContain(mine, e => e.ToString().Contains(value, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_log_is_filtered_by_entity_user_action_and_time_and_paged_newest_first()
    {
        var admin = await AdminApiAsync();
        // Projects are audited when an admin acts on them.
        var user = await portal.CreateUserAsync("filtered", admin: true);
        var api = portal.CreateApiClient(user.Token);
        var before = DateTime.UtcNow.AddSeconds(-1);
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Created, (await api.PostJsonAsync("/api/projects", new { name = $"Audited {i}" })).StatusCode);

        var response = await admin.GetAsync($"/api/admin/audit?user={Uri.EscapeDataString(user.Email)}&entity=Project&action=project.&from={before:O}&pageSize=2");
        var body = await response.ReadJsonAsync();

        Assert.Equal(3, body.GetProperty("meta").GetProperty("total").GetInt32());
        Assert.Equal(2, body.GetProperty("meta").GetProperty("pageSize").GetInt32());
        var page = body.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(2, page.Count);
        Assert.True(page[0].GetProperty("at").GetDateTime() >= page[1].GetProperty("at").GetDateTime());
        Assert.All(page, e => Assert.Equal(user.Email, e.GetProperty("actorEmail").GetString()));
        Assert.Single(await EntriesAsync(admin, $"user={user.Id}&entity=Project&page=2&pageSize=2"));
        Assert.Empty(await EntriesAsync(admin, $"user={user.Id}&entity=Project&to={before:O}"));
        Assert.Empty(await EntriesAsync(admin, $"user={user.Id}&entity=Website"));
        await (await admin.GetAsync($"/api/admin/audit?from={DateTime.UtcNow:O}&to={before:O}")).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Entries_cannot_be_changed_or_deleted_and_there_is_no_API_to_try()
    {
        var admin = await AdminApiAsync();
        await portal.CreateUserAsync("appended");

        var change = () => portal.WithDbAsync(async db =>
        {
            var entry = await db.AuditEntries.OrderByDescending(e => e.At).FirstAsync(TestContext.Current.CancellationToken);
            entry.Action = "rewritten";
            return await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        });
        var delete = () => portal.WithDbAsync(async db =>
        {
            db.AuditEntries.Remove(await db.AuditEntries.OrderByDescending(e => e.At).FirstAsync(TestContext.Current.CancellationToken));
            return await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        });

        Assert.Contains("append-only", (await Assert.ThrowsAsync<InvalidOperationException>(change)).Message, StringComparison.Ordinal);
        Assert.Contains("append-only", (await Assert.ThrowsAsync<InvalidOperationException>(delete)).Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await admin.DeleteAsync("/api/admin/audit")).StatusCode);
        Assert.DoesNotContain(typeof(AuditLog).GetMethods(), m => m.Name.Contains("Delete", StringComparison.Ordinal) || m.Name.Contains("Update", StringComparison.Ordinal));
    }
}
