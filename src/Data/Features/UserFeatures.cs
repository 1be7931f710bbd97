using Catalyst.Data.Common;
using Catalyst.Data.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.FeatureManagement;
using Microsoft.FeatureManagement.FeatureFilters;

namespace Catalyst.Data.Features;

/// <summary>Who a flag is evaluated for: the e-mail is the targeting id (named users are e-mails), the roles are its groups.</summary>
public sealed record FeatureUser(Guid Id, string Email, IReadOnlyList<string> Roles)
{
    public static FeatureUser From(Actor actor) => new(actor.UserId, actor.Email, actor.IsAdmin ? [Identity.Roles.Admin, Identity.Roles.User] : [Identity.Roles.User]);
}

/// <summary>
/// The flags a given user gets (SPEC §14): what <c>/api/sync/init</c> carries as
/// <c>"features": {"name": true|false}</c>, what the changes feed announces when a flag flips, and what
/// <c>GET /api/me/features</c> answers. Every defined flag is in the answer, on or off.
/// </summary>
public interface IUserFeatures
{
    /// <summary>The flags of a signed-in caller (no database read beyond the cached definitions).</summary>
    Task<IReadOnlyDictionary<string, bool>> ForAsync(FeatureUser user, CancellationToken ct);

    /// <summary>The flags of the user with this id (looks the e-mail and roles up); empty for an unknown user.</summary>
    Task<IReadOnlyDictionary<string, bool>> ForUserAsync(Guid userId, CancellationToken ct);
}

/// <summary>
/// Told after a flag was created, changed or deleted (after the change is committed). The sync
/// feed subscribes here to tell clients that their flags may have flipped; several listeners may
/// be registered, none is required.
/// </summary>
public interface IFeatureFlagChangeListener
{
    Task FlagChangedAsync(FeatureFlagChange change, CancellationToken ct);
}

/// <param name="Before">The flag before the change (null when created).</param>
/// <param name="After">The flag after the change (null when deleted).</param>
public sealed record FeatureFlagChange(string Name, FeatureFlag? Before, FeatureFlag? After, DateTime At);

public sealed class UserFeatures(IVariantFeatureManager features, DatabaseFeatureDefinitionProvider definitions, CatalystDbContext db) : IUserFeatures
{
    public async Task<IReadOnlyDictionary<string, bool>> ForAsync(FeatureUser user, CancellationToken ct)
    {
        var context = new TargetingContext { UserId = user.Email.Trim().ToLowerInvariant(), Groups = user.Roles };
        var result = new SortedDictionary<string, bool>(StringComparer.Ordinal);
        foreach (var name in (await definitions.DefinitionsAsync(ct)).Keys)
            result[name] = await features.IsEnabledAsync(name, context, ct);
        return result;
    }

    public async Task<IReadOnlyDictionary<string, bool>> ForUserAsync(Guid userId, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new
            {
                u.Email,
                Roles = db.UserRoles.Where(ur => ur.UserId == u.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name!).ToList(),
            })
            .FirstOrDefaultAsync(ct);
        return user?.Email is null
            ? new Dictionary<string, bool>()
            : await ForAsync(new FeatureUser(userId, user.Email, user.Roles), ct);
    }
}
