using Catalyst.Data.Audit;
using Catalyst.Data.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Catalyst.Portal.Infrastructure;

/// <summary>
/// Identity's sign-in manager, refusing disabled accounts and auditing every failed password and
/// every lockout (SPEC §3), for the sign-in page and <c>POST /api/auth/token</c> alike.
/// </summary>
public sealed class CatalystSignInManager(
    UserManager<CatalystUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<CatalystUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<CatalystUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<CatalystUser> confirmation,
    AuditLog audit)
    : SignInManager<CatalystUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public override async Task<bool> CanSignInAsync(CatalystUser user) =>
        !user.IsDisabled && await base.CanSignInAsync(user);

    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var user = await UserManager.FindByNameAsync(userName) ?? await UserManager.FindByEmailAsync(userName);
        if (user is null)
        {
            await AuditUnknownAccountAsync(userName);
            return SignInResult.Failed;
        }
        return await PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
    }

    public override async Task<SignInResult> CheckPasswordSignInAsync(CatalystUser user, string password, bool lockoutOnFailure)
    {
        var wasLockedOut = await UserManager.IsLockedOutAsync(user);
        var result = await base.CheckPasswordSignInAsync(user, password, lockoutOnFailure);
        if (result.Succeeded)
            return result;
        var channel = Context.Request.Path.StartsWithSegments("/api") ? "api" : "portal";
        await audit.WriteAsync(log =>
        {
            log.RecordUnauthenticated(user.Id, user.Email, "signin.failed", "User", user.Id,
                new { channel, reason = wasLockedOut ? "locked_out" : result.IsNotAllowed ? "not_allowed" : "wrong_password" });
            if (!wasLockedOut && result.IsLockedOut)
                log.RecordUnauthenticated(user.Id, user.Email, "signin.lockout", "User", user.Id,
                    new { channel, until = user.LockoutEnd?.UtcDateTime });
        }, CancellationToken.None);
        return result;
    }

    /// <summary>A sign-in attempt for an e-mail no account has (kept only when it looks like an e-mail: people type passwords in the wrong field).</summary>
    public Task AuditUnknownAccountAsync(string? email) =>
        audit.WriteAsync(log => log.RecordUnauthenticated(null, email?.Contains('@', StringComparison.Ordinal) == true ? email : "(not an e-mail)", "signin.failed", "User", null,
            new { channel = Context.Request.Path.StartsWithSegments("/api") ? "api" : "portal", reason = "unknown_account" }), CancellationToken.None);
}
