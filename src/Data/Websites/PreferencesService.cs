using System.Text.Json;
using Catalyst.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Websites;

/// <summary><c>GET|PUT /api/me/preferences</c>: one bounded JSON object per user.</summary>
public sealed class PreferencesService(CatalystDbContext db)
{
    public async Task<UserPreferences> GetAsync(Actor actor, CancellationToken ct) =>
        await db.Set<UserPreferences>().AsNoTracking().FirstOrDefaultAsync(p => p.UserId == actor.UserId, ct)
        ?? new UserPreferences { UserId = actor.UserId };

    /// <summary>Replaces the preferences; <paramref name="expectedVersion"/> (If-Match) is optional here (0 = none yet).</summary>
    public async Task<UserPreferences> PutAsync(Actor actor, JsonElement? preferences, long? expectedVersion, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (preferences is not { ValueKind: JsonValueKind.Object })
            errors["preferences"] = ["preferences must be a JSON object."];
        var json = WebsiteRules.ValidJsonObject(preferences, errors, "preferences");
        if (errors.Count > 0)
            throw WebsiteRules.Fail(errors);
        var row = await db.Set<UserPreferences>().FirstOrDefaultAsync(p => p.UserId == actor.UserId, ct);
        if (expectedVersion is { } expected && (row?.Version ?? 0) != expected)
            throw new VersionConflictException(row?.Version ?? 0);
        if (row is null)
        {
            row = new UserPreferences { UserId = actor.UserId, Preferences = json };
            db.Set<UserPreferences>().Add(row);
        }
        else
        {
            row.Preferences = json;
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            var current = await db.Set<UserPreferences>().AsNoTracking().Where(p => p.UserId == actor.UserId).Select(p => p.Version).FirstOrDefaultAsync(ct);
            throw new VersionConflictException(current);
        }
        return row;
    }
}
