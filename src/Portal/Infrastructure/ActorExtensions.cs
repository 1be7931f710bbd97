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
}
