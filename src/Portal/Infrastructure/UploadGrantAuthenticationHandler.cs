using System.Security.Claims;
using System.Text.Encodings.Web;
using Catalyst.Data.Assets;
using Catalyst.Data.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Catalyst.Portal.Infrastructure;

/// <summary>
/// A presigned upload grant (<c>?grant=&amp;exp=&amp;sig=</c>) stands in for the bearer token on the tus
/// endpoints at <c>/api/uploads</c> only (the scheme is in no other policy): on the creation POST while
/// the grant is unused and unexpired, then on the HEAD, PATCH and DELETE of the one upload it created
/// (its Location carries the same query). The caller becomes the granting user. An altered grant
/// answers 403, an expired or spent one 410, as problem+json, rather than a bare 401 challenge.
/// A request that also sends an Authorization header is authenticated by that header alone.
/// </summary>
public sealed class UploadGrantAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    PresignService presign)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "UploadGrant";
    public const string GrantIdClaim = "catalyst:upload_grant";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var query = Request.Query;
        if (!query.ContainsKey(PresignService.GrantParameter) || Request.Headers.Authorization.Count > 0 || HttpMethods.IsOptions(Request.Method))
            return AuthenticateResult.NoResult();
        Guid? uploadId = null;
        if (Request.RouteValues.TryGetValue("id", out var routeId))
        {
            if (!Guid.TryParse(routeId?.ToString(), out var id))
                return AuthenticateResult.NoResult();
            uploadId = id;
        }
        // Domain exceptions (403/410) go to the one problem mapper: the answer names what is wrong with the grant.
        var identity = await presign.VerifyGrantAsync(query[PresignService.GrantParameter], query[PresignService.ExpiresParameter],
            query[PresignService.SignatureParameter], uploadId, Context.RequestAborted);

        List<Claim> claims =
        [
            new(ClaimTypes.NameIdentifier, identity.UserId.ToString()),
            new(ClaimTypes.Name, identity.Email),
            new(ClaimTypes.Email, identity.Email),
            new(ClaimTypes.Role, Roles.User),
            new(GrantIdClaim, identity.Grant.Id.ToString()),
        ];
        if (identity.IsAdmin)
            claims.Add(new Claim(ClaimTypes.Role, Roles.Admin));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    /// <summary>The bearer scheme answers the challenge (401 with WWW-Authenticate: Bearer).</summary>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties) => Task.CompletedTask;
}
