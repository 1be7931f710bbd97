using Catalyst.Data.Audit;
using Catalyst.Data.Common;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Identity;

public sealed record UserCounts(int Total, int Admins, int Disabled, int LockedOut);

public sealed record UserSummary(Guid Id, string Email, IReadOnlyList<string> Roles, bool Disabled, DateTime? LockoutEnd, DateTime CreatedAt);

/// <summary>What admins do to accounts: create, assign roles, disable. Every change is audited.</summary>
public sealed class UserAdminService(CatalystDbContext db, UserManager<CatalystUser> users, AuditLog audit)
{
    public async Task<Page<UserSummary>> ListAsync(string? search, PageRequest page, CancellationToken ct)
    {
        var query = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var normalized = search.Trim().ToUpperInvariant();
            query = query.Where(u => u.NormalizedEmail!.Contains(normalized));
        }
        var total = await query.CountAsync(ct);
        var rows = await query.OrderBy(u => u.NormalizedEmail).Skip(page.Skip).Take(page.PageSize)
            .Select(u => new
            {
                u.Id, u.Email, u.IsDisabled, u.LockoutEnd, u.CreatedAt,
                Roles = db.UserRoles.Where(ur => ur.UserId == u.Id)
                    .Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name!).ToList(),
            })
            .ToListAsync(ct);
        var items = rows.Select(r => new UserSummary(r.Id, r.Email ?? "", r.Roles.Order().ToList(), r.IsDisabled,
            r.LockoutEnd?.UtcDateTime, r.CreatedAt)).ToList();
        return new Page<UserSummary>(items, page.Page, page.PageSize, total);
    }

    /// <summary>How many accounts there are, admins, disabled and locked out now (the admin home).</summary>
    public async Task<UserCounts> CountsAsync(DateTime now, CancellationToken ct)
    {
        var adminRoleId = await db.Roles.Where(r => r.NormalizedName == "ADMIN").Select(r => (Guid?)r.Id).FirstOrDefaultAsync(ct);
        var nowOffset = new DateTimeOffset(now, TimeSpan.Zero);
        var users = db.Users.AsNoTracking();
        return new UserCounts(
            await users.CountAsync(ct),
            await db.UserRoles.CountAsync(ur => ur.RoleId == adminRoleId, ct),
            await users.CountAsync(u => u.IsDisabled, ct),
            (await users.Where(u => u.LockoutEnd != null).Select(u => u.LockoutEnd).ToListAsync(ct)).Count(end => end > nowOffset));
    }

    public async Task<UserSummary> GetAsync(Guid id, CancellationToken ct)
    {
        var user = await users.FindByIdAsync(id.ToString()) ?? throw new NotFoundException("User");
        return await SummarizeAsync(user);
    }

    public async Task<UserSummary> CreateAsync(Actor actor, string? email, string? password, IReadOnlyList<string>? roles, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        email = email?.Trim();
        if (string.IsNullOrEmpty(email) || !email.Contains('@', StringComparison.Ordinal) || email.Length > 256)
            errors["email"] = ["A valid e-mail address is required."];
        if (string.IsNullOrEmpty(password))
            errors["password"] = ["Password is required."];
        var wanted = ValidateRoles(roles ?? [Roles.User], errors);
        if (errors.Count > 0)
            throw new ValidationFailedException(errors);
        if (await users.FindByEmailAsync(email!) is not null)
            throw new ConflictException("duplicate_email", "A user with this e-mail address already exists.");

        var user = new CatalystUser { Id = Guid.CreateVersion7(), UserName = email, Email = email, EmailConfirmed = true };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var created = await users.CreateAsync(user, password!);
        if (!created.Succeeded)
            throw new ValidationFailedException(new Dictionary<string, string[]>
            {
                ["password"] = created.Errors.Select(e => e.Description).ToArray(),
            });
        var added = await users.AddToRolesAsync(user, wanted);
        if (!added.Succeeded)
            throw new InvalidOperationException("Could not assign roles: " + string.Join("; ", added.Errors.Select(e => e.Description)));
        audit.Record(actor, "user.create", "User", user.Id, new { email, roles = wanted });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return await SummarizeAsync(user);
    }

    public async Task<UserSummary> UpdateAsync(Actor actor, Guid id, IReadOnlyList<string>? roles, bool? disabled, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var wanted = roles is null ? null : ValidateRoles(roles, errors);
        if (errors.Count > 0)
            throw new ValidationFailedException(errors);
        var user = await users.FindByIdAsync(id.ToString()) ?? throw new NotFoundException("User");
        if (user.Id == actor.UserId && (disabled == true || (wanted is not null && !wanted.Contains(Roles.Admin))))
            throw new ConflictException("self_lockout", "You cannot disable yourself or remove your own Admin role.");

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (wanted is not null)
        {
            var current = await users.GetRolesAsync(user);
            await users.RemoveFromRolesAsync(user, current.Except(wanted).ToList());
            await users.AddToRolesAsync(user, wanted.Except(current).ToList());
        }
        if (disabled is { } flag && flag != user.IsDisabled)
        {
            user.IsDisabled = flag;
            await users.UpdateAsync(user);
            // A new security stamp ends the user's cookie sessions at their next validation.
            await users.UpdateSecurityStampAsync(user);
        }
        audit.Record(actor, "user.update", "User", user.Id, new { roles = wanted, disabled });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return await SummarizeAsync(user);
    }

    private static List<string> ValidateRoles(IReadOnlyList<string> roles, Dictionary<string, string[]> errors)
    {
        var result = new List<string>();
        foreach (var role in roles)
        {
            var known = Roles.All.FirstOrDefault(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                errors["roles"] = [$"Unknown role '{role}'. Roles are: {string.Join(", ", Roles.All)}."];
                return result;
            }
            if (!result.Contains(known))
                result.Add(known);
        }
        return result;
    }

    private async Task<UserSummary> SummarizeAsync(CatalystUser user)
    {
        var roles = await users.GetRolesAsync(user);
        return new UserSummary(user.Id, user.Email ?? "", roles.Order().ToList(), user.IsDisabled, user.LockoutEnd?.UtcDateTime, user.CreatedAt);
    }
}
