using Catalyst.Data.Common;
using Catalyst.Data.Identity;

namespace Catalyst.Data.Tokens;

/// <summary>
/// A named bearer token. Only the SHA-256 of the value is stored; <see cref="Prefix"/> (the first
/// characters after <c>cat_</c>) lets a user tell tokens apart without revealing them.
/// </summary>
public class ApiToken : ITimestamped
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public CatalystUser? User { get; set; }
    public required string Name { get; set; }
    public required string Prefix { get; set; }
    public required string TokenHash { get; set; }
    public DateTime? ExpiresAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public bool IsActive(DateTime now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}
