using System.Net;
using System.Text.RegularExpressions;
using Catalyst.Tests.Unit.Infrastructure;

namespace Catalyst.Tests.Unit.Hardening;

/// <summary>
/// SPEC §3: a failed sign-in answers the same for an unknown account, a wrong password and a
/// locked account, on the sign-in page and on <c>POST /api/auth/token</c>, so neither tells which
/// e-mail addresses have accounts nor which accounts are locked.
/// </summary>
public partial class SignInEnumerationTests(PortalFactory portal)
{
    private const string WrongPassword = "Wrong-Password-1!";

    /// <summary>Three accounts in three states: none, existing, locked (five failures).</summary>
    private async Task<(string Unknown, TestUser Existing, TestUser Locked)> CastAsync()
    {
        var existing = await portal.CreateUserAsync("existing");
        var locked = await portal.CreateUserAsync("locked");
        for (var attempt = 1; attempt <= 5; attempt++)
            await portal.CreateApiClient().PostJsonAsync("/api/auth/token", new { email = locked.Email, password = WrongPassword, name = "lock" });
        Assert.True(await portal.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(
            db.Users.Where(u => u.Id == locked.Id).Select(u => u.LockoutEnd > DateTimeOffset.UtcNow), TestContext.Current.CancellationToken)), "the account should be locked");
        return ($"nobody-{Guid.NewGuid():N}@test.local", existing, locked);
    }

    /// <summary>The answer without what differs by design from one request to the next.</summary>
    private static string Comparable(string body, string email) =>
        AntiforgeryValue().Replace(CorrelationId().Replace(body.Replace(email, "{email}", StringComparison.Ordinal), "\"correlationId\":\"…\""), "value=\"…\"");

    [GeneratedRegex("\"correlationId\":\"[^\"]*\"")]
    private static partial Regex CorrelationId();

    [GeneratedRegex("(?<=name=\"__RequestVerificationToken\" type=\"hidden\" )value=\"[^\"]*\"")]
    private static partial Regex AntiforgeryValue();

    [Fact]
    public async Task The_token_endpoint_answers_an_unknown_account_a_wrong_password_and_a_locked_account_alike()
    {
        var (unknown, existing, locked) = await CastAsync();
        var api = portal.CreateApiClient();

        var answers = new List<(HttpStatusCode Status, string Body)>();
        foreach (var (email, password) in new[] { (unknown, existing.Password), (existing.Email, WrongPassword), (locked.Email, WrongPassword), (locked.Email, locked.Password) })
        {
            var response = await api.PostJsonAsync("/api/auth/token", new { email, password, name = "enumeration" });
            var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
            Assert.Equal("The e-mail or password is not correct.", problem.GetProperty("detail").GetString());
            Assert.Null(response.Headers.RetryAfter);
            answers.Add((response.StatusCode, Comparable(await response.Content.ReadAsStringAsync(), email)));
        }

        Assert.Single(answers.Distinct());
        // The right password of the locked account got no token either.
        Assert.False(await portal.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AnyAsync(
            db.ApiTokens.Where(t => t.UserId == locked.Id && t.Name == "enumeration"), TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task The_sign_in_page_answers_an_unknown_account_a_wrong_password_and_a_locked_account_alike()
    {
        var (unknown, existing, locked) = await CastAsync();

        var answers = new List<(HttpStatusCode Status, string Body)>();
        foreach (var (email, password) in new[] { (unknown, existing.Password), (existing.Email, WrongPassword), (locked.Email, WrongPassword), (locked.Email, locked.Password) })
        {
            var response = await portal.CreateBrowser().SignInAsync(email, password);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("The e-mail or password is not correct.", (await Forms.ParseAsync(response)).QuerySelector("[role=alert]")?.TextContent.Trim());
            Assert.DoesNotContain("lock", body.Replace(email, "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
            answers.Add((response.StatusCode, Comparable(body, email)));
        }

        Assert.Single(answers.Distinct());
    }
}
