using System.Net;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Auth;

/// <summary>
/// SPEC §16 limits with the default figures (10 per account, 20 per address, per minute). Each test
/// has its own Portal, so the one-minute windows start with the test and nothing else counts
/// against them; every test finishes well inside its window.
/// </summary>
public class SignInRateLimitTests
{
    private static PortalFactory LimitedPortal() => new(new Dictionary<string, string?>
    {
        ["Catalyst:SignIn:PerAccountPerMinute"] = "10",
        ["Catalyst:SignIn:PerAddressPerMinute"] = "20",
    });

    private static Task<HttpResponseMessage> RequestTokenAsync(HttpClient api, string email, string password) =>
        api.PostJsonAsync("/api/auth/token", new { email, password, name = "rate limit test" });

    [Fact]
    public async Task Lockout_comes_first_and_the_per_account_limit_answers_429_with_Retry_After_after_ten_attempts()
    {
        await using var limited = LimitedPortal();
        var user = await limited.CreateUserAsync();
        var api = limited.CreateApiClient();

        for (var attempt = 1; attempt <= 4; attempt++)
            await (await RequestTokenAsync(api, user.Email, "Wrong-Password-1!")).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        // The fifth failure locks the account: lockout triggers before any rate limit (and answers
        // like any failure, so it tells nobody the account exists).
        await (await RequestTokenAsync(api, user.Email, "Wrong-Password-1!")).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.True(await limited.WithDbAsync(db => db.Users.Where(u => u.Id == user.Id).Select(u => u.LockoutEnd > DateTimeOffset.UtcNow).SingleAsync(TestContext.Current.CancellationToken)));
        for (var attempt = 6; attempt <= 10; attempt++)
            await (await RequestTokenAsync(api, user.Email, user.Password)).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");

        var eleventh = await RequestTokenAsync(api, user.Email, user.Password);

        await eleventh.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(eleventh.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 must say when to retry");
        // Another account from the same address is not affected by this account's limit.
        var other = await limited.CreateUserAsync();
        Assert.Equal(HttpStatusCode.Created, (await RequestTokenAsync(api, other.Email, other.Password)).StatusCode);
    }

    [Fact]
    public async Task The_per_account_limit_applies_to_the_sign_in_page_as_well()
    {
        await using var limited = LimitedPortal();
        var user = await limited.CreateUserAsync();
        var api = limited.CreateApiClient();
        for (var attempt = 1; attempt <= 10; attempt++)
            await RequestTokenAsync(api, user.Email, "Wrong-Password-1!");

        var page = await limited.CreateBrowser().SignInAsync(user.Email, user.Password);

        Assert.Equal(HttpStatusCode.TooManyRequests, page.StatusCode);
        Assert.NotNull(page.Headers.RetryAfter);
        Assert.Null(SignInTests.SetCookie(page, "catalyst.auth"));
    }

    [Fact]
    public async Task The_per_address_limit_answers_429_with_Retry_After_on_the_token_endpoint_and_the_page()
    {
        await using var limited = LimitedPortal();
        var api = limited.CreateApiClient();
        var browser = limited.CreateBrowser();
        // Viewing the sign-in form is not a sign-in attempt and does not use up the address's budget.
        for (var view = 1; view <= 25; view++)
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/Account/Login")).StatusCode);
        var form = await browser.GetDocumentAsync("/Account/Login");

        // Twenty attempts for twenty different accounts: the per-account limit never applies.
        for (var attempt = 1; attempt <= 20; attempt++)
            await (await RequestTokenAsync(api, $"nobody-{attempt}@test.local", "Whatever-123!")).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");

        var rejected = await RequestTokenAsync(api, "nobody-21@test.local", "Whatever-123!");
        await rejected.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(rejected.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 must say when to retry");

        var page = await browser.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = "nobody-22@test.local",
            ["Input.Password"] = "Whatever-123!",
            ["__RequestVerificationToken"] = form.AntiforgeryToken(),
        }));
        Assert.Equal(HttpStatusCode.TooManyRequests, page.StatusCode);
        Assert.NotNull(page.Headers.RetryAfter);
    }
}
