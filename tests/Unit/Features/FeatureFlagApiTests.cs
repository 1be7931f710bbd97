using System.Net;
using System.Text.Json;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Features;

/// <summary>
/// SPEC §14 feature flags: admins define them (on, off, a sticky percentage, named users or roles),
/// every change is audited, and each user gets the flags that apply to them: in <c>/api/sync/init</c>,
/// in the changes feed when a flag flips, and from <c>GET /api/me/features</c>.
/// </summary>
public class FeatureFlagApiTests(PortalFactory portal)
{
    private static string UniqueName(string prefix) => $"{prefix}.{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    private async Task<HttpClient> AdminApiAsync() => portal.CreateApiClient((await portal.CreateUserAsync("flag-admin", admin: true)).Token);

    private static async Task<JsonElement> PutAsync(HttpClient admin, string name, object body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await admin.SendJsonAsync(HttpMethod.Put, $"/api/admin/features/{name}", body);
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.ReadJsonAsync()).GetProperty("data");
    }

    private static async Task<bool?> FlagOfAsync(HttpClient user, string name)
    {
        var flags = (await (await user.GetAsync("/api/me/features")).ReadJsonAsync()).GetProperty("data");
        return flags.TryGetProperty(name, out var value) ? value.GetBoolean() : null;
    }

    [Fact]
    public async Task An_admin_creates_lists_changes_and_deletes_a_flag_and_every_change_is_audited()
    {
        var admin = await AdminApiAsync();
        var name = UniqueName("storage.serverMode");

        var created = await admin.PostJsonAsync("/api/admin/features", new { name, description = "Server storage", state = "on" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/admin/features/{name}", created.Headers.Location?.OriginalString);
        var data = (await created.ReadJsonAsync()).GetProperty("data");
        Assert.Equal("on", data.GetProperty("state").GetString());
        await (await admin.PostJsonAsync("/api/admin/features", new { name, state = "off" })).AssertProblemAsync(HttpStatusCode.Conflict, "feature_exists");
        var list = (await (await admin.GetAsync("/api/admin/features")).ReadJsonAsync()).GetProperty("data");
        Assert.Contains(list.EnumerateArray(), f => f.GetProperty("name").GetString() == name);

        var changed = await PutAsync(admin, name, new { state = "percentage", percentage = 25 });
        Assert.Equal("percentage", changed.GetProperty("state").GetString());
        Assert.Equal(25, changed.GetProperty("percentage").GetInt32());
        await (await admin.SendJsonAsync(HttpMethod.Put, $"/api/admin/features/{name}", new { state = "off" }, "\"1\""))
            .AssertProblemAsync(HttpStatusCode.PreconditionFailed, "version_conflict");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/admin/features/{name}")).StatusCode);
        await (await admin.GetAsync($"/api/admin/features/{name}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");

        var audit = (await (await admin.GetAsync($"/api/admin/audit?entity=FeatureFlag&pageSize=100")).ReadJsonAsync()).GetProperty("data")
            .EnumerateArray().Where(e => e.GetProperty("entityId").GetString() == name).Select(e => e.GetProperty("action").GetString()).Order().ToList();
        Assert.Equal(["feature.create", "feature.delete", "feature.update"], audit);
    }

    [Fact]
    public async Task PUT_creates_an_absent_flag_with_201()
    {
        var admin = await AdminApiAsync();
        var name = UniqueName("sync.batchUpload");

        var data = await PutAsync(admin, name, new { name, state = "targeted", users = new[] { "Someone@Example.com" }, roles = new[] { "admin" } }, HttpStatusCode.Created);

        Assert.Equal(["someone@example.com"], data.GetProperty("users").EnumerateArray().Select(u => u.GetString()));
        Assert.Equal(["Admin"], data.GetProperty("roles").EnumerateArray().Select(u => u.GetString()));
    }

    [Theory]
    [InlineData("""{"state":"sometimes"}""", "state")]
    [InlineData("""{}""", "state")]
    [InlineData("""{"state":"percentage"}""", "percentage")]
    [InlineData("""{"state":"percentage","percentage":101}""", "percentage")]
    [InlineData("""{"state":"targeted"}""", "users")]
    [InlineData("""{"state":"targeted","users":["not-an-email"]}""", "users")]
    [InlineData("""{"state":"targeted","roles":["Superuser"]}""", "roles")]
    [InlineData("""{"name":"another.name","state":"on"}""", "name")]
    public async Task Invalid_flags_answer_400_naming_the_field(string body, string field)
    {
        var admin = await AdminApiAsync();

        var problem = await (await admin.SendRawAsync(HttpMethod.Put, $"/api/admin/features/{UniqueName("bad")}", body))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task A_bad_name_is_refused()
    {
        var admin = await AdminApiAsync();

        var problem = await (await admin.PostJsonAsync("/api/admin/features", new { name = "9 lives!", state = "on" }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        Assert.True(problem.GetProperty("errors").TryGetProperty("name", out _));
    }

    [Fact]
    public async Task Non_admins_get_403_and_only_see_their_own_flags()
    {
        var user = portal.CreateApiClient((await portal.CreateUserAsync("flag-user")).Token);

        await (await user.GetAsync("/api/admin/features")).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await user.PostJsonAsync("/api/admin/features", new { name = UniqueName("x"), state = "on" })).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/api/me/features")).StatusCode);
    }

    [Fact]
    public async Task Sign_in_sync_carries_the_users_flags_and_the_changes_feed_announces_a_flip()
    {
        var admin = await AdminApiAsync();
        var user = portal.CreateApiClient((await portal.CreateUserAsync("flag-sync")).Token);
        var name = UniqueName("sync.flag");
        await PutAsync(admin, name, new { state = "on" }, HttpStatusCode.Created);

        var init = (await (await user.GetAsync("/api/sync/init")).ReadJsonAsync()).GetProperty("data");
        Assert.True(init.GetProperty("features").GetProperty(name).GetBoolean());
        Assert.Equal(await FlagOfAsync(user, name), init.GetProperty("features").GetProperty(name).GetBoolean());

        await PutAsync(admin, name, new { state = "off" });
        var page = await (await user.GetAsync($"/api/sync/changes?since={init.GetProperty("cursor").GetString()}")).ReadJsonAsync();
        var flip = Assert.Single(page.GetProperty("data").EnumerateArray(), c => c.GetProperty("type").GetString() == "features");
        Assert.Equal("upsert", flip.GetProperty("op").GetString());
        Assert.False(flip.GetProperty("data").GetProperty(name).GetBoolean());

        // Later pages bring flag news only when some flag changes again (other tests may flip theirs), never a stale value.
        var next = await (await user.GetAsync($"/api/sync/changes?since={page.GetProperty("meta").GetProperty("cursor").GetString()}")).ReadJsonAsync();
        Assert.All(next.GetProperty("data").EnumerateArray().Where(c => c.GetProperty("type").GetString() == "features"),
            c => Assert.False(c.GetProperty("data").GetProperty(name).GetBoolean()));
    }

    [Fact]
    public async Task A_flag_switched_on_appears_for_users_and_switched_off_is_the_rollback()
    {
        var admin = await AdminApiAsync();
        var user = portal.CreateApiClient((await portal.CreateUserAsync("flag-user")).Token);
        var name = UniqueName("storage.serverMode");

        await PutAsync(admin, name, new { state = "on" }, HttpStatusCode.Created);
        Assert.True(await FlagOfAsync(user, name));

        await PutAsync(admin, name, new { state = "off" });
        Assert.False(await FlagOfAsync(user, name));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/admin/features/{name}")).StatusCode);
        Assert.Null(await FlagOfAsync(user, name));
    }

    [Fact]
    public async Task A_percentage_flag_is_on_for_about_that_share_of_users_and_sticky_for_each()
    {
        var admin = await AdminApiAsync();
        var name = UniqueName("storage.hybrid");
        await PutAsync(admin, name, new { state = "percentage", percentage = 50 }, HttpStatusCode.Created);
        var users = await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ => portal.CreateApiClient((await portal.CreateUserAsync("rollout")).Token)));

        var first = await Task.WhenAll(users.Select(u => FlagOfAsync(u, name)));
        // Another flag changing must not reshuffle this one's users.
        await PutAsync(admin, UniqueName("unrelated"), new { state = "percentage", percentage = 50 }, HttpStatusCode.Created);
        var second = await Task.WhenAll(users.Select(u => FlagOfAsync(u, name)));

        Assert.Equal(first, second);
        Assert.InRange(first.Count(on => on == true), 8, 32);

        await PutAsync(admin, name, new { state = "percentage", percentage = 100 });
        Assert.All(await Task.WhenAll(users.Select(u => FlagOfAsync(u, name))), on => Assert.True(on));
        await PutAsync(admin, name, new { state = "percentage", percentage = 0 });
        Assert.All(await Task.WhenAll(users.Select(u => FlagOfAsync(u, name))), on => Assert.False(on));
    }

    [Fact]
    public async Task A_targeted_flag_is_on_for_the_named_users_and_roles_only()
    {
        var admin = await AdminApiAsync();
        var named = await portal.CreateUserAsync("named");
        var other = portal.CreateApiClient((await portal.CreateUserAsync("other")).Token);
        var name = UniqueName("sync.beta");

        await PutAsync(admin, name, new { state = "targeted", users = new[] { named.Email.ToUpperInvariant() } }, HttpStatusCode.Created);

        Assert.True(await FlagOfAsync(portal.CreateApiClient(named.Token), name));
        Assert.False(await FlagOfAsync(other, name));
        Assert.False(await FlagOfAsync(admin, name));

        await PutAsync(admin, name, new { state = "targeted", roles = new[] { "Admin" } });
        Assert.True(await FlagOfAsync(admin, name));
        Assert.False(await FlagOfAsync(portal.CreateApiClient(named.Token), name));
    }

    [Fact]
    public async Task The_audit_entry_of_a_change_says_what_it_was_before_and_after()
    {
        var admin = await AdminApiAsync();
        var name = UniqueName("audited");
        await PutAsync(admin, name, new { state = "off" }, HttpStatusCode.Created);
        await PutAsync(admin, name, new { state = "percentage", percentage = 30 });

        var details = await portal.WithDbAsync(db => db.AuditEntries.AsNoTracking()
            .Where(e => e.EntityType == "FeatureFlag" && e.EntityId == name && e.Action == "feature.update").Select(e => e.Details).SingleAsync(TestContext.Current.CancellationToken));

        var json = JsonDocument.Parse(details!).RootElement;
        Assert.Equal("off", json.GetProperty("before").GetProperty("state").GetString());
        Assert.Equal("percentage", json.GetProperty("after").GetProperty("state").GetString());
        Assert.Equal(30, json.GetProperty("after").GetProperty("percentage").GetInt32());
    }
}
