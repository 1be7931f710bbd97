using System.Net;
using Catalyst.Data.Identity;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Admin;

public class AdminUserPageTests(PortalFactory portal)
{
    private static string NewEmail(string name = "member") => $"{name}-{Guid.NewGuid():N}@test.local";

    private Task<CatalystUser?> FindAsync(string email)
    {
        var normalized = email.ToUpperInvariant();
        return portal.WithDbAsync(db => db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task An_admin_creates_a_user_on_the_Users_page()
    {
        var admin = await portal.CreateUserAsync("admin", admin: true);
        var browser = await portal.CreateSignedInBrowserAsync(admin);
        var email = NewEmail();

        var response = await browser.PostFormAsync("/Admin/Users/Create", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = "Member-Pass-123!",
            ["Input.Admin"] = "false",
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var list = await browser.GetDocumentAsync($"/Admin/Users?q={Uri.EscapeDataString(email)}");
        Assert.Contains($"User {email} was created.", list.QuerySelector("[role=status]")?.TextContent, StringComparison.Ordinal);
        var row = Assert.Single(list.QuerySelectorAll("tbody tr"));
        Assert.Contains("active", row.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Admin", row.TextContent, StringComparison.Ordinal);
        await portal.CreateBrowser().SignInOrFailAsync(email, "Member-Pass-123!");
    }

    [Fact]
    public async Task Creating_a_user_shows_each_problem_next_to_its_field_and_creates_nothing()
    {
        var admin = await portal.CreateUserAsync("admin", admin: true);
        var browser = await portal.CreateSignedInBrowserAsync(admin);

        var invalid = await browser.PostFormAsync("/Admin/Users/Create", new Dictionary<string, string>
        {
            ["Input.Email"] = "not-an-email",
            ["Input.Password"] = "short",
        });

        Assert.Equal(HttpStatusCode.OK, invalid.StatusCode);
        var page = await Forms.ParseAsync(invalid);
        Assert.Equal("Enter an e-mail address.", page.FieldError("Input.Email"));
        Assert.Equal("At least 8 characters.", page.FieldError("Input.Password"));
        Assert.Null(await FindAsync("not-an-email"));

        // The service's own rules (here the password policy) land next to the field too.
        var weakEmail = NewEmail();
        var weak = await Forms.ParseAsync(await browser.PostFormAsync("/Admin/Users/Create", new Dictionary<string, string>
        {
            ["Input.Email"] = weakEmail,
            ["Input.Password"] = "alllowercase",
        }));
        Assert.False(string.IsNullOrEmpty(weak.FieldError("Input.Password")));
        Assert.Null(await FindAsync(weakEmail));

        var duplicate = await Forms.ParseAsync(await browser.PostFormAsync("/Admin/Users/Create", new Dictionary<string, string>
        {
            ["Input.Email"] = admin.Email,
            ["Input.Password"] = "Member-Pass-123!",
        }));
        Assert.Equal("A user with this e-mail address already exists.", duplicate.FieldError("Input.Email"));
    }

    [Fact]
    public async Task Disabling_a_user_on_the_edit_page_stops_their_token_and_their_sign_in()
    {
        var admin = await portal.CreateUserAsync("admin", admin: true);
        var member = await portal.CreateUserAsync();
        var browser = await portal.CreateSignedInBrowserAsync(admin);
        var edit = await browser.GetDocumentAsync($"/Admin/Users/Edit/{member.Id}");
        Assert.Contains(member.Email, edit.QuerySelector("h1")?.TextContent, StringComparison.Ordinal);

        var response = await browser.PostFormAsync($"/Admin/Users/Edit/{member.Id}", new Dictionary<string, string>
        {
            ["Admin"] = "false",
            ["Disabled"] = "true",
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.True((await FindAsync(member.Email))!.IsDisabled);
        await (await portal.CreateApiClient(member.Token).GetAsync("/api/projects")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Null(Auth.SignInTests.SetCookie(await portal.CreateBrowser().SignInAsync(member.Email, member.Password), "catalyst.auth"));
        var list = await browser.GetDocumentAsync($"/Admin/Users?q={Uri.EscapeDataString(member.Email)}");
        Assert.Contains("disabled", Assert.Single(list.QuerySelectorAll("tbody tr")).TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Making_a_user_an_admin_on_the_edit_page_opens_the_admin_pages_to_them()
    {
        var admin = await portal.CreateUserAsync("admin", admin: true);
        var member = await portal.CreateUserAsync();
        var browser = await portal.CreateSignedInBrowserAsync(admin);

        await browser.PostFormAsync($"/Admin/Users/Edit/{member.Id}", new Dictionary<string, string> { ["Admin"] = "true", ["Disabled"] = "false" });

        var memberBrowser = await portal.CreateSignedInBrowserAsync(member);
        Assert.Equal(HttpStatusCode.OK, (await memberBrowser.GetAsync("/Admin/Users")).StatusCode);
    }

    [Fact]
    public async Task Non_admins_get_403_on_the_admin_pages_and_cannot_create_users()
    {
        var member = await portal.CreateUserAsync();
        var browser = await portal.CreateSignedInBrowserAsync(member);
        var email = NewEmail();

        foreach (var url in new[] { "/Admin/Users", "/Admin/Users/Create", $"/Admin/Users/Edit/{member.Id}", "/Admin/Audit" })
        {
            var response = await browser.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{url} answered {(int)response.StatusCode}");
            Assert.DoesNotContain(member.Email + "</h1>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        var post = await browser.PostWithTokenFromAsync("/Projects", "/Admin/Users/Create", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = "Member-Pass-123!",
            ["Input.Admin"] = "true",
        });
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.Null(await FindAsync(email));
        var promote = await browser.PostWithTokenFromAsync("/Projects", $"/Admin/Users/Edit/{member.Id}", new Dictionary<string, string> { ["Admin"] = "true" });
        Assert.Equal(HttpStatusCode.Forbidden, promote.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync("/Admin/Users")).StatusCode);
    }

    [Fact]
    public async Task Anonymous_visitors_are_sent_to_sign_in()
    {
        Forms.AssertRedirectsToSignIn(await portal.CreateBrowser().GetAsync("/Admin/Users"));
        Forms.AssertRedirectsToSignIn(await portal.CreateBrowser().GetAsync("/Admin/Audit"));
    }

    [Fact]
    public async Task Admin_pages_write_audit_entries_too()
    {
        var admin = await portal.CreateUserAsync("admin", admin: true);
        var browser = await portal.CreateSignedInBrowserAsync(admin);
        var email = NewEmail();

        await browser.PostFormAsync("/Admin/Users/Create", new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = "Member-Pass-123!" });
        var created = (await FindAsync(email))!;
        await browser.PostFormAsync($"/Admin/Users/Edit/{created.Id}", new Dictionary<string, string> { ["Admin"] = "false", ["Disabled"] = "true" });

        var actions = await portal.WithDbAsync(db => db.AuditEntries.Where(e => e.EntityId == created.Id.ToString() && e.ActorId == admin.Id)
            .OrderBy(e => e.At).Select(e => e.Action).ToListAsync(TestContext.Current.CancellationToken));
        Assert.Equal(["user.create", "user.update"], actions);
    }

    [Fact]
    public async Task The_users_and_audit_lists_page()
    {
        var admin = await portal.CreateUserAsync("admin", admin: true);
        var marker = Guid.NewGuid().ToString("N")[..10];
        for (var i = 0; i < 21; i++)
            await portal.WithScopeAsync(sp => sp.GetRequiredService<UserAdminService>()
                .CreateAsync(admin.Actor, $"page{i:00}-{marker}@test.local", "Member-Pass-123!", null, CancellationToken.None));
        var browser = await portal.CreateSignedInBrowserAsync(admin);

        var users = await browser.GetDocumentAsync($"/Admin/Users?q={marker}&page=2");
        var audit = await browser.GetDocumentAsync($"/Admin/Audit?user={Uri.EscapeDataString(admin.Email)}&action=user.&page=1");

        Assert.Contains("21 total · page 2 of 2", users.QuerySelector(".pager")?.TextContent, StringComparison.Ordinal);
        Assert.Contains($"page20-{marker}", Assert.Single(users.QuerySelectorAll("tbody tr")).TextContent, StringComparison.Ordinal);
        Assert.Contains("21 total · page 1 of 1", audit.QuerySelector(".pager")?.TextContent, StringComparison.Ordinal);
    }
}
