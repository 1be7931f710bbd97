using System.Security.Claims;
using System.Text.Encodings.Web;
using Catalyst.Data.Identity;
using Catalyst.Data.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Catalyst.Portal.Infrastructure;

/// <summary>
/// <c>Authorization: Bearer cat_...</c> for <c>/api</c>. Checked against the database on every
/// request, so revoking a token or disabling its user takes effect at once.
/// </summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiTokenService tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    public const string TokenIdClaim = "catalyst:token_id";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
            return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.Fail("Only bearer tokens are accepted.");
        var identity = await tokens.AuthenticateAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (identity is null)
            return AuthenticateResult.Fail("The token is invalid, expired or revoked.");

        List<Claim> claims =
        [
            new(ClaimTypes.NameIdentifier, identity.UserId.ToString()),
            new(ClaimTypes.Name, identity.Email),
            new(ClaimTypes.Email, identity.Email),
            new(ClaimTypes.Role, Roles.User),
            new(TokenIdClaim, identity.TokenId.ToString()),
        ];
        if (identity.IsAdmin)
            claims.Add(new Claim(ClaimTypes.Role, Roles.Admin));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}
