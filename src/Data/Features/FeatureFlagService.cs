using Catalyst.Data.Audit;
using Catalyst.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Catalyst.Data.Features;

/// <summary>
/// Admins' edits of feature flags (SPEC §14). Every change is audited with the state before and
/// after; once committed, this instance's definitions are refreshed and the change listeners told.
/// </summary>
public sealed class FeatureFlagService(CatalystDbContext db, AuditLog audit, DatabaseFeatureDefinitionProvider definitions,
    IEnumerable<IFeatureFlagChangeListener> listeners, TimeProvider time, ILogger<FeatureFlagService> logger)
{
    public async Task<IReadOnlyList<FeatureFlag>> ListAsync(CancellationToken ct) =>
        (await db.Set<FeatureFlag>().AsNoTracking().ToListAsync(ct)).OrderBy(f => f.Name, StringComparer.OrdinalIgnoreCase).ToList();

    public async Task<FeatureFlag> GetAsync(string name, CancellationToken ct) =>
        await db.Set<FeatureFlag>().AsNoTracking().FirstOrDefaultAsync(f => f.Name == name, ct) ?? throw new NotFoundException("Feature flag");

    public async Task<FeatureFlag> CreateAsync(Actor actor, FeatureFlagInput input, CancellationToken ct)
    {
        RequireAdmin(actor);
        var errors = new Dictionary<string, string[]>();
        var name = FeatureFlagRules.ValidName(input.Name, errors);
        if (errors.Count > 0)
            throw new ValidationFailedException(errors);
        var flag = new FeatureFlag { Name = name };
        FeatureFlagRules.Apply(flag, input);
        if (await db.Set<FeatureFlag>().AnyAsync(f => f.Name == name, ct))
            throw Exists();
        db.Set<FeatureFlag>().Add(flag);
        audit.Record(actor, "feature.create", nameof(FeatureFlag), name, Describe(null, flag));
        await SaveAsync(ct);
        await AnnounceAsync(new FeatureFlagChange(name, null, flag, flag.UpdatedAt), ct);
        return flag;
    }

    /// <summary>Creates or replaces the flag <paramref name="name"/>; <paramref name="expectedVersion"/>, when given, must be current.</summary>
    public async Task<(FeatureFlag Flag, bool Created)> PutAsync(Actor actor, string name, long? expectedVersion, FeatureFlagInput input, CancellationToken ct)
    {
        RequireAdmin(actor);
        var errors = new Dictionary<string, string[]>();
        FeatureFlagRules.ValidName(name, errors);
        if (input.Name is { } bodyName && !string.Equals(bodyName.Trim(), name, StringComparison.Ordinal))
            errors["name"] = ["The name in the body must match the name in the URL (flags cannot be renamed)."];
        if (errors.Count > 0)
            throw new ValidationFailedException(errors);
        var flag = await db.Set<FeatureFlag>().FirstOrDefaultAsync(f => f.Name == name, ct);
        if (flag is null)
        {
            if (expectedVersion is not null)
                throw new NotFoundException("Feature flag");
            return (await CreateAsync(actor, input with { Name = name }, ct), true);
        }
        if (expectedVersion is { } expected && flag.Version != expected)
            throw new VersionConflictException(flag.Version);
        var before = Copy(flag);
        FeatureFlagRules.Apply(flag, input);
        audit.Record(actor, "feature.update", nameof(FeatureFlag), name, Describe(before, flag));
        await SaveAsync(ct);
        await AnnounceAsync(new FeatureFlagChange(name, before, flag, flag.UpdatedAt), ct);
        return (flag, false);
    }

    public async Task DeleteAsync(Actor actor, string name, CancellationToken ct)
    {
        RequireAdmin(actor);
        var flag = await db.Set<FeatureFlag>().FirstOrDefaultAsync(f => f.Name == name, ct) ?? throw new NotFoundException("Feature flag");
        db.Set<FeatureFlag>().Remove(flag);
        audit.Record(actor, "feature.delete", nameof(FeatureFlag), name, Describe(flag, null));
        await SaveAsync(ct);
        await AnnounceAsync(new FeatureFlagChange(name, flag, null, Clock.UtcNow(time)), ct);
    }

    private async Task SaveAsync(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException("version_conflict", "The flag was changed by someone else meanwhile; load it again.");
        }
        catch (DbUpdateException)
        {
            throw Exists();
        }
        definitions.Invalidate();
    }

    private async Task AnnounceAsync(FeatureFlagChange change, CancellationToken ct)
    {
        foreach (var listener in listeners)
        {
            try
            {
                await listener.FlagChangedAsync(change, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The change is committed; a listener's failure must not turn it into an error for the admin.
                logger.LogError(ex, "Feature flag listener {Listener} failed for {Flag}", listener.GetType().Name, change.Name);
            }
        }
    }

    private static void RequireAdmin(Actor actor)
    {
        if (!actor.IsAdmin)
            throw new ForbiddenException("Feature flags are managed by admins.");
    }

    private static ConflictException Exists() => new("feature_exists", "A feature flag with this name already exists.");

    private static FeatureFlag Copy(FeatureFlag f) => new()
    {
        Name = f.Name, Description = f.Description, State = f.State, Percentage = f.Percentage, Users = [.. f.Users], Roles = [.. f.Roles],
        CreatedAt = f.CreatedAt, UpdatedAt = f.UpdatedAt, Version = f.Version,
    };

    private static object Describe(FeatureFlag? before, FeatureFlag? after) => new
    {
        before = before is null ? null : Summary(before),
        after = after is null ? null : Summary(after),
    };

    private static object Summary(FeatureFlag f) => new
    {
        state = f.State.ToString().ToLowerInvariant(),
        percentage = f.State == FeatureFlagState.Percentage ? f.Percentage : (int?)null,
        users = f.State == FeatureFlagState.Targeted ? f.Users : null,
        roles = f.State == FeatureFlagState.Targeted ? f.Roles : null,
    };
}
