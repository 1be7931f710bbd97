using System.Net;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Auth;

public class SignInTests(PortalFactory portal)
{
    private const string AuthCookie = "catalyst.auth";

    internal static string? SetCookie(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues("Set-Cookie", out var values)
            ? values.FirstOrDefault(v => v.StartsWith(name + "=", StringComparison.Ordinal))
            : null;

    [Fact]
    public async Task Signing_in_redirects_home_with_an_HttpOnly_SameSite_Lax_Secure_auth_cookie()
    {
        var user = await portal.CreateUserAsync();
        var browser = portal.CreateBrowser();

        var response = await browser.SignInAsync(user.Email, user.Password);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        var cookie = SetCookie(response, AuthCookie);
        Assert.NotNull(cookie);
        var attributes = cookie.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(a => a.ToLowerInvariant()).ToList();
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=lax", attributes);
        Assert.Contains("secure", attributes); // the Testing environment is "outside development"

        var home = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains(user.Email, await home.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_in_returns_to_the_local_page_that_asked_for_it_but_never_to_another_site()
    {
        var user = await portal.CreateUserAsync();
        var browser = portal.CreateBrowser();

        var challenge = await browser.GetAsync("/Projects");
        Forms.AssertRedirectsToSignIn(challenge);
        var local = await browser.PostFormAsync("/Account/Login?ReturnUrl=%2FProjects", new Dictionary<string, string>
        {
            ["Input.Email"] = user.Email,
            ["Input.Password"] = user.Password,
            ["ReturnUrl"] = "/Projects",
        });
        Assert.Equal("/Projects", local.Headers.Location?.OriginalString);

        var other = portal.CreateBrowser();
        var foreign = await other.PostFormAsync("/Account/Login", new Dictionary<string, string>
        {
            ["Input.Email"] = user.Email,
            ["Input.Password"] = user.Password,
            ["ReturnUrl"] = "https://evil.example/",
        });
        Assert.Equal("/", foreign.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_wrong_password_shows_the_message_and_sets_no_auth_cookie()
    {
        var user = await portal.CreateUserAsync();
        var browser = portal.CreateBrowser();

        var response = await browser.SignInAsync(user.Email, "Not-The-Password-1!");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(SetCookie(response, AuthCookie));
        var page = await Forms.ParseAsync(response);
        Assert.Contains("The e-mail or password is not correct.", page.QuerySelector("[role=alert]")?.TextContent, StringComparison.Ordinal);
        Forms.AssertRedirectsToSignIn(await browser.GetAsync("/"));
    }

    [Fact]
    public async Task An_empty_sign_in_form_shows_the_messages_next_to_the_fields()
    {
        var response = await portal.CreateBrowser().SignInAsync("", "");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await Forms.ParseAsync(response);
        Assert.Equal("E-mail is required.", page.FieldError("Input.Email"));
        Assert.Equal("Password is required.", page.FieldError("Input.Password"));
    }

    [Fact]
    public async Task An_unknown_account_gets_the_same_message_as_a_wrong_password()
    {
        var browser = portal.CreateBrowser();

        var response = await browser.SignInAsync($"nobody-{Guid.NewGuid():N}@test.local", "Whatever-123!");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(SetCookie(response, AuthCookie));
        Assert.Contains("The e-mail or password is not correct.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Five_failures_lock_the_account_so_even_the_correct_password_is_refused_on_the_page_and_the_token_endpoint()
    {
        var user = await portal.CreateUserAsync();
        var browser = portal.CreateBrowser();

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var failed = await browser.SignInAsync(user.Email, $"Wrong-Password-{attempt}!");
            Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
            Assert.Null(SetCookie(failed, AuthCookie));
        }

        var sixth = await browser.SignInAsync(user.Email, user.Password);
        Assert.Equal(HttpStatusCode.OK, sixth.StatusCode);
        Assert.Null(SetCookie(sixth, AuthCookie));
        // Refused like any failure: the page does not tell that this account exists and is locked.
        Assert.Equal("The e-mail or password is not correct.", (await Forms.ParseAsync(sixth)).QuerySelector("[role=alert]")?.TextContent.Trim());
        Forms.AssertRedirectsToSignIn(await browser.GetAsync("/"));

        var token = await portal.CreateApiClient().PostJsonAsync("/api/auth/token", new { email = user.Email, password = user.Password, name = "after lockout" });
        await token.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.Equal(0, await portal.WithDbAsync(db => db.ApiTokens.CountAsync(t => t.UserId == user.Id && t.Name == "after lockout", TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task Failures_through_the_token_endpoint_lock_the_page_sign_in_too()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient();

        for (var attempt = 1; attempt <= 4; attempt++)
            await (await api.PostJsonAsync("/api/auth/token", new { email = user.Email, password = "Wrong-Password-1!", name = "x" }))
                .AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        await (await api.PostJsonAsync("/api/auth/token", new { email = user.Email, password = "Wrong-Password-1!", name = "x" }))
            .AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");

        var page = await portal.CreateBrowser().SignInAsync(user.Email, user.Password);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Null(SetCookie(page, AuthCookie));
    }

    [Fact]
    public async Task A_token_issued_before_a_lockout_keeps_working()
    {
        var user = await portal.CreateUserAsync();
        var browser = portal.CreateBrowser();
        for (var attempt = 1; attempt <= 5; attempt++)
            await browser.SignInAsync(user.Email, "Wrong-Password-1!");
        var locked = await portal.WithDbAsync(db => db.Users.Where(u => u.Id == user.Id).Select(u => u.LockoutEnd).SingleAsync(TestContext.Current.CancellationToken));
        Assert.True(locked > DateTimeOffset.UtcNow, "the account should be locked out now");

        var response = await portal.CreateApiClient(user.Token).GetAsync("/api/projects");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        var user = await portal.CreateUserAsync();
        var browser = await portal.CreateSignedInBrowserAsync(user);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/Projects")).StatusCode);

        var response = await browser.PostWithTokenFromAsync("/Projects", "/Account/Logout");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/Login", response.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Contains("expires=Thu, 01 Jan 1970", SetCookie(response, AuthCookie), StringComparison.OrdinalIgnoreCase);
        Forms.AssertRedirectsToSignIn(await browser.GetAsync("/Projects"));
    }

    [Fact]
    public async Task Registration_is_off_by_default()
    {
        var browser = portal.CreateBrowser();
        var email = $"self-{Guid.NewGuid():N}@test.local";

        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync("/Account/Register")).StatusCode);
        var login = await browser.GetDocumentAsync("/Account/Login");
        Assert.Null(login.QuerySelector("a[href='/Account/Register']"));
        var post = await browser.PostWithTokenFromAsync("/Account/Login", "/Account/Register", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = "Self-Pass-123!",
        });

        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        var normalized = email.ToUpperInvariant();
        Assert.False(await portal.WithDbAsync(db => db.Users.AnyAsync(u => u.NormalizedEmail == normalized, TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task With_AllowRegistration_people_can_create_their_own_account_as_plain_users()
    {
        await using var open = new PortalFactory(new Dictionary<string, string?> { ["Catalyst:AllowRegistration"] = "true" });
        var browser = open.CreateBrowser();
        var email = $"self-{Guid.NewGuid():N}@test.local";

        var login = await browser.GetDocumentAsync("/Account/Login");
        Assert.NotNull(login.QuerySelector("a[href='/Account/Register']"));
        var tooShort = await browser.PostFormAsync("/Account/Register", new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = "short" });
        Assert.Equal(HttpStatusCode.OK, tooShort.StatusCode);
        Assert.False(string.IsNullOrEmpty((await Forms.ParseAsync(tooShort)).FieldError("Input.Password")));

        var response = await browser.PostFormAsync("/Account/Register", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = "Self-Pass-123!",
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.NotNull(SetCookie(response, AuthCookie));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/Projects")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync("/Admin/Users")).StatusCode);
        var again = await open.CreateBrowser().SignInAsync(email, "Self-Pass-123!");
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
    }
}
