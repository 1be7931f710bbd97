using System.Data.Common;
using System.Net;
using Catalyst.Data.Tokens;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Auth;

public class ApiTokenTests(PortalFactory portal)
{
    private async Task<(Guid Id, string Value)> IssueAsync(TestUser user, string name = "script", int? expiresInDays = null)
    {
        var response = await portal.CreateApiClient().PostJsonAsync("/api/auth/token", new { email = user.Email, password = user.Password, name, expiresInDays });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var data = (await response.ReadJsonAsync()).GetProperty("data");
        return (data.GetProperty("id").GetGuid(), data.GetProperty("token").GetString()!);
    }

    /// <summary>Every column of the token's row, read with plain SQL so nothing is filtered by the model.</summary>
    private Task<List<string>> RawColumnsAsync(Guid tokenId) => portal.WithDbAsync(async db =>
    {
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM ApiTokens";
        var values = new List<List<string>>();
        await using (DbDataReader reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken))
        {
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
                values.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!).ToList());
        }
        return values.Single(row => row.Any(v => string.Equals(v, tokenId.ToString(), StringComparison.OrdinalIgnoreCase)));
    });

    [Fact]
    public async Task Exchanging_credentials_answers_201_with_a_cat_token_and_a_Location_that_describes_it()
    {
        var user = await portal.CreateUserAsync();

        var response = await portal.CreateApiClient().PostJsonAsync("/api/auth/token", new { email = user.Email, password = user.Password, name = "laptop", expiresInDays = 30 });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var data = (await response.ReadJsonAsync()).GetProperty("data");
        var value = data.GetProperty("token").GetString()!;
        var id = data.GetProperty("id").GetGuid();
        Assert.StartsWith("cat_", value, StringComparison.Ordinal);
        Assert.True(value.Length > 40, "the token must carry plenty of entropy");
        var expiresAt = data.GetProperty("expiresAt").GetDateTime();
        Assert.InRange(expiresAt, DateTime.UtcNow.AddDays(29), DateTime.UtcNow.AddDays(31));
        Assert.Equal($"/api/me/tokens/{id}", response.Headers.Location?.OriginalString);

        var api = portal.CreateApiClient(value);
        var described = await api.GetAsync(response.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, described.StatusCode);
        var token = (await described.ReadJsonAsync()).GetProperty("data");
        Assert.Equal("laptop", token.GetProperty("name").GetString());
        Assert.DoesNotContain(value, await described.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_issued_token_works_on_the_API()
    {
        var user = await portal.CreateUserAsync();
        var (_, value) = await IssueAsync(user);
        var api = portal.CreateApiClient(value);

        var created = await api.PostJsonAsync("/api/projects", new { name = "Made with a fresh token" });
        var list = await api.GetAsync("/api/projects");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(user.Id, (await created.ReadJsonAsync()).GetProperty("data").GetProperty("ownerId").GetGuid());
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
    }

    [Fact]
    public async Task Only_the_SHA256_of_the_token_is_stored()
    {
        var user = await portal.CreateUserAsync();
        var (id, value) = await IssueAsync(user);

        var columns = await RawColumnsAsync(id);

        var secret = value["cat_".Length..];
        Assert.All(columns, column => Assert.DoesNotContain(secret[..20], column, StringComparison.Ordinal));
        Assert.Contains(ApiTokenService.Hash(value), columns);
        Assert.Equal(64, ApiTokenService.Hash(value).Length);
    }

    [Theory]
    [InlineData("Bearer cat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("Bearer not-a-catalyst-token")]
    [InlineData("Bearer ")]
    [InlineData("Basic dXNlcjpwYXNz")]
    public async Task An_unknown_or_malformed_token_answers_401_problem_with_a_Bearer_challenge(string authorization)
    {
        var api = portal.CreateApiClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/projects");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        var response = await api.SendAsync(request);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task No_token_at_all_answers_401_problem_with_a_Bearer_challenge()
    {
        var response = await portal.CreateApiClient().GetAsync("/api/projects");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task The_portal_cookie_alone_does_not_authenticate_API_calls()
    {
        var user = await portal.CreateUserAsync();
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var get = await browser.GetAsync("/api/projects");
        var post = await browser.PostJsonAsync("/api/projects", new { name = "Via cookie" });

        await get.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await post.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal(0, await portal.WithDbAsync(db => db.Projects.CountAsync(p => p.OwnerId == user.Id)));
    }

    [Fact]
    public async Task Revoking_through_the_API_stops_the_token_at_once()
    {
        var user = await portal.CreateUserAsync();
        var (id, value) = await IssueAsync(user);
        var api = portal.CreateApiClient(value);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/projects")).StatusCode);

        var revoked = await portal.CreateApiClient(user.Token).DeleteAsync($"/api/me/tokens/{id}");

        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        await (await api.GetAsync("/api/projects")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal(HttpStatusCode.OK, (await portal.CreateApiClient(user.Token).GetAsync("/api/projects")).StatusCode);
    }

    [Fact]
    public async Task A_token_can_revoke_itself()
    {
        var user = await portal.CreateUserAsync();
        var (id, value) = await IssueAsync(user);
        var api = portal.CreateApiClient(value);

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/me/tokens/{id}")).StatusCode);

        await (await api.GetAsync("/api/projects")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Another_users_token_cannot_be_revoked_or_described()
    {
        var owner = await portal.CreateUserAsync();
        var other = await portal.CreateUserAsync();
        var (id, value) = await IssueAsync(owner);
        var otherApi = portal.CreateApiClient(other.Token);

        await (await otherApi.DeleteAsync($"/api/me/tokens/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await otherApi.GetAsync($"/api/me/tokens/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        var list = await (await otherApi.GetAsync("/api/me/tokens")).ReadJsonAsync();
        Assert.DoesNotContain(list.GetProperty("data").EnumerateArray(), t => t.GetProperty("id").GetGuid() == id);

        Assert.Equal(HttpStatusCode.OK, (await portal.CreateApiClient(value).GetAsync("/api/projects")).StatusCode);
    }

    [Fact]
    public async Task Revoking_on_the_portal_tokens_page_stops_the_token_at_once()
    {
        var user = await portal.CreateUserAsync();
        var (id, value) = await IssueAsync(user, "to revoke");
        var api = portal.CreateApiClient(value);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/projects")).StatusCode);
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var response = await browser.PostWithTokenFromAsync("/Account/Tokens", $"/Account/Tokens?handler=Revoke&id={id}");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        await (await api.GetAsync("/api/projects")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        var page = await browser.GetDocumentAsync("/Account/Tokens");
        var row = page.QuerySelectorAll("tbody tr").Single(r => r.TextContent.Contains("to revoke", StringComparison.Ordinal));
        Assert.Contains("revoked", row.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_token_answers_401()
    {
        var user = await portal.CreateUserAsync();
        var (id, value) = await IssueAsync(user, "short-lived", expiresInDays: 1);
        var api = portal.CreateApiClient(value);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/projects")).StatusCode);

        await portal.WithDbAsync(db => db.ApiTokens.Where(t => t.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.ExpiresAt, DateTime.UtcNow.AddSeconds(-1)), TestContext.Current.CancellationToken));

        await (await api.GetAsync("/api/projects")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Using_a_token_records_its_last_use()
    {
        var user = await portal.CreateUserAsync();
        var (id, value) = await IssueAsync(user);
        Assert.Null(await portal.WithDbAsync(db => db.ApiTokens.Where(t => t.Id == id).Select(t => t.LastUsedAt).SingleAsync(TestContext.Current.CancellationToken)));
        var before = DateTime.UtcNow.AddSeconds(-1);

        Assert.Equal(HttpStatusCode.OK, (await portal.CreateApiClient(value).GetAsync("/api/projects")).StatusCode);

        var lastUsed = await portal.WithDbAsync(db => db.ApiTokens.Where(t => t.Id == id).Select(t => t.LastUsedAt).SingleAsync(TestContext.Current.CancellationToken));
        Assert.NotNull(lastUsed);
        Assert.InRange(lastUsed.Value, before, DateTime.UtcNow.AddSeconds(1));
        var list = await (await portal.CreateApiClient(value).GetAsync("/api/me/tokens")).ReadJsonAsync();
        var listed = list.GetProperty("data").EnumerateArray().Single(t => t.GetProperty("id").GetGuid() == id);
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, listed.GetProperty("lastUsedAt").ValueKind);
    }

    [Fact]
    public async Task The_portal_shows_a_new_tokens_value_once_and_never_again()
    {
        var user = await portal.CreateUserAsync();
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var response = await browser.PostWithTokenFromAsync("/Account/Tokens", "/Account/Tokens?handler=Create", new Dictionary<string, string>
        {
            ["Input.Name"] = "website builder",
            ["Input.ExpiresInDays"] = "7",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        var created = await Forms.ParseAsync(response);
        var value = created.QuerySelector("#new-token-value")?.TextContent.Trim();
        Assert.NotNull(value);
        Assert.StartsWith("cat_", value, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await portal.CreateApiClient(value).GetAsync("/api/projects")).StatusCode);

        var later = await browser.GetAsync("/Account/Tokens");
        var laterHtml = await later.Content.ReadAsStringAsync();
        Assert.DoesNotContain(value, laterHtml, StringComparison.Ordinal);
        Assert.Contains("website builder", laterHtml, StringComparison.Ordinal);
        Assert.Contains(value[..10], laterHtml, StringComparison.Ordinal); // the short prefix tells tokens apart
        Assert.DoesNotContain(value, string.Join(";", later.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : []), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_portal_tokens_page_validates_its_fields()
    {
        var user = await portal.CreateUserAsync();
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var response = await browser.PostWithTokenFromAsync("/Account/Tokens", "/Account/Tokens?handler=Create", new Dictionary<string, string>
        {
            ["Input.Name"] = "",
            ["Input.ExpiresInDays"] = "0",
        });

        var page = await Forms.ParseAsync(response);
        Assert.Equal("Give the token a name.", page.FieldError("Input.Name"));
        Assert.False(string.IsNullOrEmpty(page.FieldError("Input.ExpiresInDays")));
        Assert.Null(page.QuerySelector("#new-token-value"));
        Assert.Equal(1, await portal.WithDbAsync(db => db.ApiTokens.CountAsync(t => t.UserId == user.Id))); // the fixture's own token only
    }

    [Theory]
    [InlineData(null, 30, "name")]
    [InlineData("   ", 30, "name")]
    [InlineData("ok", 0, "expiresInDays")]
    [InlineData("ok", 3651, "expiresInDays")]
    public async Task Invalid_token_requests_answer_400_validation_failed_with_the_field(string? name, int expiresInDays, string field)
    {
        var user = await portal.CreateUserAsync();

        var response = await portal.CreateApiClient().PostJsonAsync("/api/auth/token", new { email = user.Email, password = user.Password, name, expiresInDays });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}: {problem}");
        Assert.Equal(1, await portal.WithDbAsync(db => db.ApiTokens.CountAsync(t => t.UserId == user.Id)));
    }

    [Fact]
    public async Task Missing_credentials_answer_400_validation_failed_naming_both_fields()
    {
        var response = await portal.CreateApiClient().PostJsonAsync("/api/auth/token", new { name = "x" });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("email", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("password", out _));
    }

    [Fact]
    public async Task A_wrong_password_answers_401_invalid_credentials_and_issues_nothing()
    {
        var user = await portal.CreateUserAsync();

        var response = await portal.CreateApiClient().PostJsonAsync("/api/auth/token", new { email = user.Email, password = "Wrong-Password-1!", name = "x" });

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.Equal(1, await portal.WithDbAsync(db => db.ApiTokens.CountAsync(t => t.UserId == user.Id)));
    }

    [Fact]
    public async Task The_token_value_is_never_listed()
    {
        var user = await portal.CreateUserAsync();
        var (_, value) = await IssueAsync(user);

        var list = await portal.CreateApiClient(value).GetAsync("/api/me/tokens");

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var body = await list.Content.ReadAsStringAsync();
        Assert.DoesNotContain(value, body, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiTokenService.Hash(value), body, StringComparison.Ordinal);
        Assert.Equal(2, (await list.ReadJsonAsync()).GetProperty("data").GetArrayLength());
    }
}
