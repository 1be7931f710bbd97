using System.Net;
using System.Text.Json;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Admin;

public class AdminUserApiTests(PortalFactory portal)
{
    private static string NewEmail(string name = "member") => $"{name}-{Guid.NewGuid():N}@test.local";

    private static List<string?> Roles(JsonElement data) => data.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ToList();

    [Fact]
    public async Task Creating_a_user_answers_201_with_Location_and_the_user_who_can_then_sign_in()
    {
        var admin = await portal.CreateUserAsync("admin", admin: true);
        var api = portal.CreateApiClient(admin.Token);
        var email = NewEmail();

        var response = await api.PostJsonAsync("/api/admin/users", new { email, password = "Member-Pass-123!", roles = new[] { "User" } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var data = (await response.ReadJsonAsync()).GetProperty("data");
        var id = data.GetProperty("id").GetGuid();
        Assert.Equal($"/api/admin/users/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(email, data.GetProperty("email").GetString());
        Assert.Equal(["User"], Roles(data));
        Assert.DoesNotContain("Member-Pass-123!", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var fetched = await api.GetAsync(response.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        Assert.Equal(id, (await fetched.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid());
        await portal.CreateBrowser().SignInOrFailAsync(email, "Member-Pass-123!");
    }

    [Fact]
    public async Task A_duplicate_email_answers_409_whatever_its_case()
    {
        var admin = await portal.CreateUserAsync("admin", admin: true);
        var api = portal.CreateApiClient(admin.Token);
        var email = NewEmail();
        var normalized = email.ToUpperInvariant();
        Assert.Equal(HttpStatusCode.Created, (await api.PostJsonAsync("/api/admin/users", new { email, password = "Member-Pass-123!" })).StatusCode);

        var again = await api.PostJsonAsync("/api/admin/users", new { email = email.ToUpperInvariant(), password = "Member-Pass-123!" });

        await again.AssertProblemAsync(HttpStatusCode.Conflict, "duplicate_email");
        Assert.Equal(1, await portal.WithDbAsync(db => db.Users.CountAsync(u => u.NormalizedEmail == normalized, TestContext.Current.CancellationToken)));
    }

    [Theory]
    [InlineData("""{"email":"x@test.local","password":"Member-Pass-123!","roles":["Owner"]}""", "roles")]
    [InlineData("""{"email":"not-an-email","password":"Member-Pass-123!"}""", "email")]
    [InlineData("""{"email":"x@test.local"}""", "password")]
    [InlineData("""{"email":"x@test.local","password":"short"}""", "password")]
    public async Task Invalid_users_answer_400_validation_failed_naming_the_field(string body, string field)
    {
        var admin = await portal.CreateUserAsync("admin", admin: true);
        var email = NewEmail();
        var normalized = email.ToUpperInvariant();
        body = body.Replace("x@test.local", email, StringComparison.Ordinal);

        var response = await portal.CreateApiClient(admin.Token).SendRawAsync(HttpMethod.Post, "/api/admin/users", body);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}: {problem}");
        Assert.False(await portal.WithDbAsync(db => db.Users.AnyAsync(u => u.NormalizedEmail == normalized, TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task Granting_the_Admin_role_takes_effect_for_the_users_existing_token()
    {
        var admin = await portal.CreateUserAsync("admin", admin: true);
        var member = await portal.CreateUserAsync();
        var memberApi = portal.CreateApiClient(member.Token);
        await (await memberApi.GetAsync("/api/admin/users")).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        var granted = await portal.CreateApiClient(admin.Token).SendJsonAsync(HttpMethod.Put, $"/api/admin/users/{member.Id}", new { roles = new[] { "User", "Admin" } });

        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        Assert.Equal(["Admin", "User"], Roles((await granted.ReadJsonAsync()).GetProperty("data")));
        Assert.Equal(HttpStatusCode.OK, (await memberApi.GetAsync("/api/admin/users")).StatusCode);

        var revoked = await portal.CreateApiClient(admin.Token).SendJsonAsync(HttpMethod.Put, $"/api/admin/users/{member.Id}", new { roles = new[] { "User" } });
        Assert.Equal(["User"], Roles((await revoked.ReadJsonAsync()).GetProperty("data")));
        await (await memberApi.GetAsync("/api/admin/users")).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Disabling_a_user_stops_their_existing_token_at_once_and_refuses_their_sign_in()
    {
        var admin = await portal.CreateUserAsync("admin", admin: true);
        var member = await portal.CreateUserAsync();
        var memberApi = portal.CreateApiClient(member.Token);
        Assert.Equal(HttpStatusCode.OK, (await memberApi.GetAsync("/api/projects")).StatusCode);

        var disabled = await portal.CreateApiClient(admin.Token).SendJsonAsync(HttpMethod.Put, $"/api/admin/users/{member.Id}", new { disabled = true });

        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        Assert.True((await disabled.ReadJsonAsync()).GetProperty("data").GetProperty("disabled").GetBoolean());
        await (await memberApi.GetAsync("/api/projects")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        var signIn = await portal.CreateBrowser().SignInAsync(member.Email, member.Password);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.Null(Auth.SignInTests.SetCookie(signIn, "catalyst.auth"));
        var token = await portal.CreateApiClient().PostJsonAsync("/api/auth/token", new { email = member.Email, password = member.Password, name = "disabled" });
        Assert.Equal(HttpStatusCode.Unauthorized, token.StatusCode);

        // Enabling again restores the same token.
        await portal.CreateApiClient(admin.Token).SendJsonAsync(HttpMethod.Put, $"/api/admin/users/{member.Id}", new { disabled = false });
        Assert.Equal(HttpStatusCode.OK, (await memberApi.GetAsync("/api/projects")).StatusCode);
    }

    [Fact]
    public async Task An_admin_cannot_disable_themselves_or_drop_their_own_Admin_role()
    {
        var admin = await portal.CreateUserAsync("admin", admin: true);
        var api = portal.CreateApiClient(admin.Token);

        await (await api.SendJsonAsync(HttpMethod.Put, $"/api/admin/users/{admin.Id}", new { disabled = true })).AssertProblemAsync(HttpStatusCode.Conflict, "self_lockout");
        await (await api.SendJsonAsync(HttpMethod.Put, $"/api/admin/users/{admin.Id}", new { roles = new[] { "User" } })).AssertProblemAsync(HttpStatusCode.Conflict, "self_lockout");

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/admin/users")).StatusCode);
    }

    [Fact]
    public async Task Updating_an_unknown_user_answers_404()
    {
        var admin = await portal.CreateUserAsync("admin", admin: true);

        var response = await portal.CreateApiClient(admin.Token).SendJsonAsync(HttpMethod.Put, $"/api/admin/users/{Guid.NewGuid()}", new { disabled = true });

        await response.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task The_user_list_is_paged_and_searchable_by_email()
    {
        var admin = await portal.CreateUserAsync("admin", admin: true);
        var marker = Guid.NewGuid().ToString("N")[..12];
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Created, (await portal.CreateApiClient(admin.Token).PostJsonAsync("/api/admin/users", new { email = $"list{i}-{marker}@test.local", password = "Member-Pass-123!" })).StatusCode);

        var response = await portal.CreateApiClient(admin.Token).GetAsync($"/api/admin/users?q={marker.ToUpperInvariant()}&pageSize=2&page=2");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.ReadJsonAsync();
        Assert.Equal(3, json.GetProperty("meta").GetProperty("total").GetInt32());
        Assert.Equal(2, json.GetProperty("meta").GetProperty("pageSize").GetInt32());
        Assert.Equal(2, json.GetProperty("meta").GetProperty("page").GetInt32());
        Assert.Equal($"list2-{marker}@test.local", json.GetProperty("data").EnumerateArray().Single().GetProperty("email").GetString());
    }

    [Fact]
    public async Task Non_admins_get_403_problem_and_change_nothing()
    {
        var member = await portal.CreateUserAsync();
        var victim = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(member.Token);
        var email = NewEmail();
        var normalized = email.ToUpperInvariant();

        await (await api.GetAsync("/api/admin/users")).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await api.GetAsync($"/api/admin/users/{victim.Id}")).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await api.PostJsonAsync("/api/admin/users", new { email, password = "Member-Pass-123!", roles = new[] { "Admin" } })).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await api.SendJsonAsync(HttpMethod.Put, $"/api/admin/users/{member.Id}", new { roles = new[] { "User", "Admin" } })).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await api.SendJsonAsync(HttpMethod.Put, $"/api/admin/users/{victim.Id}", new { disabled = true })).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        Assert.False(await portal.WithDbAsync(db => db.Users.AnyAsync(u => u.NormalizedEmail == normalized, TestContext.Current.CancellationToken)));
        Assert.False(await portal.WithDbAsync(db => db.Users.Where(u => u.Id == victim.Id).Select(u => u.IsDisabled).SingleAsync(TestContext.Current.CancellationToken)));
        await (await api.GetAsync("/api/admin/users")).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Anonymous_callers_get_401()
    {
        var api = portal.CreateApiClient();

        await (await api.GetAsync("/api/admin/users")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await (await api.PostJsonAsync("/api/admin/users", new { email = NewEmail(), password = "Member-Pass-123!" })).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await (await api.SendJsonAsync(HttpMethod.Put, $"/api/admin/users/{Guid.NewGuid()}", new { disabled = true })).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Every_admin_action_on_users_is_audited_and_listed_on_the_audit_page()
    {
        var admin = await portal.CreateUserAsync("auditor", admin: true);
        var api = portal.CreateApiClient(admin.Token);
        var email = NewEmail();
        var created = await api.PostJsonAsync("/api/admin/users", new { email, password = "Member-Pass-123!", roles = new[] { "User" } });
        var id = (await created.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        await api.SendJsonAsync(HttpMethod.Put, $"/api/admin/users/{id}", new { roles = new[] { "User", "Admin" } });
        await api.SendJsonAsync(HttpMethod.Put, $"/api/admin/users/{id}", new { disabled = true });

        var entries = await portal.WithDbAsync(db => db.AuditEntries.Where(e => e.EntityId == id.ToString()).OrderBy(e => e.At).ToListAsync(TestContext.Current.CancellationToken));

        Assert.Equal(["user.create", "user.update", "user.update"], entries.Select(e => e.Action));
        Assert.All(entries, e =>
        {
            Assert.Equal(admin.Id, e.ActorId);
            Assert.Equal(admin.Email, e.ActorEmail);
            Assert.Equal("User", e.EntityType);
            Assert.DoesNotContain("Member-Pass-123!", e.Details ?? "", StringComparison.Ordinal);
        });
        Assert.Contains(email, entries[0].Details, StringComparison.Ordinal);

        var browser = await portal.CreateSignedInBrowserAsync(admin);
        var page = await browser.GetDocumentAsync($"/Admin/Audit?user={Uri.EscapeDataString(admin.Email)}");
        var rows = page.QuerySelectorAll("tbody tr").Where(r => r.TextContent.Contains(id.ToString(), StringComparison.Ordinal)).ToList();
        Assert.Equal(3, rows.Count);
        Assert.Contains(rows, r => r.TextContent.Contains("user.create", StringComparison.Ordinal));
    }
}
