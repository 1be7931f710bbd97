using Microsoft.AspNetCore.Authentication;
using System.Security.Claims;
using Catalyst.Data.Common;
using Catalyst.Data.Identity;

namespace Catalyst.Portal.Infrastructure;

/// <summary>The one way an endpoint or page turns the signed-in principal into an <see cref="Actor"/>.</summary>
public static class ActorExtensions
{
    public static Actor ToActor(this ClaimsPrincipal user)
    {
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier)
            ?? throw new InvalidOperationException("The request is not authenticated.");
        return new Actor(Guid.Parse(id), user.FindFirstValue(ClaimTypes.Email) ?? user.Identity?.Name ?? "", user.IsInRole(Roles.Admin));
    }

    public static Guid? UserId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    /// <summary>
    /// The caller behind an optional bearer token on an anonymous endpoint: null without one, 401
    /// for a token that does not work (so a client is never silently served as anonymous).
    /// </summary>
    public static async Task<Actor?> OptionalApiActorAsync(this HttpContext http)
    {
        var result = await http.AuthenticateAsync(ApiTokenAuthenticationHandler.SchemeName);
        if (result.Succeeded)
            return result.Principal.ToActor();
        if (result.Failure is null)
            return null;
        // Set as the answer starts: the exception handler clears the headers set before it runs.
        http.Response.OnStarting(() =>
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Task.CompletedTask;
        });
        throw new UnauthenticatedException("The bearer token is invalid, expired or revoked.");
    }
}
