using Microsoft.AspNetCore.Identity;

namespace Catalyst.Data.Identity;

/// <summary>Identity settings shared by the Portal and the Workers (SPEC §3).</summary>
public static class IdentityRules
{
    public const int MaxFailedSignIns = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);

    public static void Apply(IdentityOptions options)
    {
        options.User.RequireUniqueEmail = true;
        options.Lockout.AllowedForNewUsers = true;
        options.Lockout.MaxFailedAccessAttempts = MaxFailedSignIns;
        options.Lockout.DefaultLockoutTimeSpan = LockoutDuration;
        options.Password.RequiredLength = 8;
        options.SignIn.RequireConfirmedAccount = false;
    }
}
