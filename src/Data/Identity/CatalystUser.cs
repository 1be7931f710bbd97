using Catalyst.Data.Common;
using Microsoft.AspNetCore.Identity;

namespace Catalyst.Data.Identity;

public class CatalystUser : IdentityUser<Guid>, ITimestamped
{
    /// <summary>A disabled user can neither sign in nor use any of their API tokens.</summary>
    public bool IsDisabled { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public class CatalystRole : IdentityRole<Guid>
{
    public CatalystRole() { }
    public CatalystRole(string name) : base(name) { }
}

public static class Roles
{
    public const string Admin = "Admin";
    public const string User = "User";
    public static readonly IReadOnlyList<string> All = [Admin, User];
}
