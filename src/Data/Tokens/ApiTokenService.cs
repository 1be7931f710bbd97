using System.Security.Cryptography;
using System.Text;
using Catalyst.Data.Audit;
using Catalyst.Data.Common;
using Catalyst.Data.Identity;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Tokens;

/// <summary>A token in the admins' overview: whose it is, never its value.</summary>
public sealed record ApiTokenOverview(ApiToken Token, string OwnerEmail);

/// <summary>The identity behind a presented bearer token.</summary>
public sealed record TokenIdentity(Guid TokenId, Guid UserId, string Email, bool IsAdmin);

/// <summary>
/// Issues, lists, revokes and checks API tokens. A token is <c>cat_</c> + 32 random bytes
/// (base64url); with that much entropy a plain SHA-256 is a safe lookup hash.
/// </summary>
public sealed class ApiTokenService(CatalystDbContext db, AuditLog audit, TimeProvider time)
{
    public const string TokenPrefix = "cat_";
    public const int MaxNameLength = 100;
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    public async Task<(ApiToken Token, string Value)> CreateAsync(Guid userId, string? name, DateTime? expiresAt, CancellationToken ct)
    {
        name = name?.Trim();
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(name))
            errors["name"] = ["Name is required."];
        else if (name.Length > MaxNameLength)
            errors["name"] = [$"Name must be at most {MaxNameLength} characters."];
        else if (!PlainText.IsName(name))
            errors["name"] = [$"Name {PlainText.NameRule}."];
        if (expiresAt is { } expiry && expiry <= Clock.UtcNow(time))
            errors["expiresAt"] = ["The expiry must be in the future."];
        if (errors.Count > 0)
            throw new ValidationFailedException(errors);

        var value = TokenPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var token = new ApiToken
        {
            Id = Guid.CreateVersion7(),
            UserId = userId,
            Name = name!,
            Prefix = value.Substring(TokenPrefix.Length, 6),
            TokenHash = Hash(value),
            ExpiresAt = expiresAt?.ToUniversalTime(),
        };
        db.ApiTokens.Add(token);
        var email = await db.Users.Where(u => u.Id == userId).Select(u => u.Email).FirstOrDefaultAsync(ct);
        audit.Record(new Actor(userId, email ?? "", false), "token.create", nameof(ApiToken), token.Id,
            new { token.Name, prefix = TokenPrefix + token.Prefix, expiresAt = token.ExpiresAt });
        await db.SaveChangesAsync(ct);
        return (token, value);
    }

    public Task<List<ApiToken>> ListAsync(Guid userId, CancellationToken ct) =>
        db.ApiTokens.AsNoTracking().Where(t => t.UserId == userId)
            .OrderByDescending(t => t.CreatedAt).ToListAsync(ct);

    public async Task<ApiToken> GetAsync(Actor actor, Guid tokenId, CancellationToken ct)
    {
        var token = await db.ApiTokens.AsNoTracking().FirstOrDefaultAsync(t => t.Id == tokenId, ct);
        if (token is null || !actor.CanAccess(token.UserId))
            throw new NotFoundException("API token");
        return token;
    }

    public async Task RevokeAsync(Actor actor, Guid tokenId, CancellationToken ct)
    {
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.Id == tokenId, ct);
        if (token is null || !actor.CanAccess(token.UserId))
            throw new NotFoundException("API token");
        if (token.RevokedAt is not null)
            return;
        token.RevokedAt = Clock.UtcNow(time);
        audit.Record(actor, "token.revoke", nameof(ApiToken), token.Id,
            new { token.Name, prefix = TokenPrefix + token.Prefix, ownerId = token.UserId, byAdmin = token.UserId != actor.UserId });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Every user's tokens, newest first (admins); <paramref name="activeOnly"/> leaves out revoked and expired ones.</summary>
    public async Task<Page<ApiTokenOverview>> ListAllAsync(Actor actor, bool activeOnly, string? owner, PageRequest page, CancellationToken ct)
    {
        if (!actor.IsAdmin)
            throw new ForbiddenException();
        var now = Clock.UtcNow(time);
        var tokens = db.ApiTokens.AsNoTracking();
        if (activeOnly)
            tokens = tokens.Where(t => t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > now));
        if (!string.IsNullOrWhiteSpace(owner))
        {
            var normalized = owner.Trim().ToUpperInvariant();
            tokens = tokens.Where(t => t.User!.NormalizedEmail!.Contains(normalized));
        }
        var total = await tokens.CountAsync(ct);
        var rows = await tokens.OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id).Skip(page.Skip).Take(page.PageSize)
            .Select(t => new { Token = t, Email = t.User!.Email }).ToListAsync(ct);
        return new Page<ApiTokenOverview>(rows.Select(r => new ApiTokenOverview(r.Token, r.Email ?? "")).ToList(), page.Page, page.PageSize, total);
    }

    /// <summary>
    /// Checks a presented token against the store: active, not expired, its user not disabled.
    /// Records last use at a one-minute resolution so reads do not turn into writes.
    /// </summary>
    public async Task<TokenIdentity?> AuthenticateAsync(string presented, CancellationToken ct)
    {
        if (!presented.StartsWith(TokenPrefix, StringComparison.Ordinal) || presented.Length > 100)
            return null;
        var hash = Hash(presented);
        var now = Clock.UtcNow(time);
        var row = await db.ApiTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash && t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > now))
            .Select(t => new
            {
                t.Id,
                t.UserId,
                t.LastUsedAt,
                t.User!.Email,
                t.User.IsDisabled,
                IsAdmin = db.UserRoles.Any(ur => ur.UserId == t.UserId &&
                    db.Roles.Any(r => r.Id == ur.RoleId && r.NormalizedName == "ADMIN")),
            })
            .FirstOrDefaultAsync(ct);
        if (row is null || row.IsDisabled)
            return null;
        if (row.LastUsedAt is null || now - row.LastUsedAt > LastUsedResolution)
        {
            await db.ApiTokens.Where(t => t.Id == row.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), ct);
        }
        return new TokenIdentity(row.Id, row.UserId, row.Email ?? "", row.IsAdmin);
    }

    public static string Hash(string value) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
