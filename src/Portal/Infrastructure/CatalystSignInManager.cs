using Catalyst.Data.Audit;
using Catalyst.Data.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Catalyst.Portal.Infrastructure;

/// <summary>
/// Identity's sign-in manager, refusing disabled accounts and auditing every sign-in, successful
/// or failed, and every lockout (SPEC §3), for the sign-in page and <c>POST /api/auth/token</c>
/// alike; never the password. An unknown
/// account and a locked one still cost one password hash, as a wrong password does, so the time
/// of the answer does not tell them apart either (the answers themselves are the same).
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

    /// <summary>A hash of no one's password, checked for accounts whose own hash is not checked.</summary>
    private static string? s_decoyHash;

    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var user = await UserManager.FindByNameAsync(userName) ?? await UserManager.FindByEmailAsync(userName);
        if (user is null)
        {
            await FailUnknownAccountAsync(userName, password);
            return SignInResult.Failed;
        }
        return await PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
    }

    public override async Task<SignInResult> PasswordSignInAsync(CatalystUser user, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var result = await base.PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
        if (result.Succeeded)
            await AuditSuccessAsync(user);
        return result;
    }

    /// <summary>
    /// The e-mail and password check of <c>POST /api/auth/token</c>: the user, or null for any
    /// failure (unknown account, wrong password, locked, disabled), told apart only in the audit log.
    /// </summary>
    public async Task<CatalystUser?> CheckCredentialsAsync(string email, string password)
    {
        var user = await UserManager.FindByEmailAsync(email);
        if (user is null)
        {
            await FailUnknownAccountAsync(email, password);
            return null;
        }
        if (!(await CheckPasswordSignInAsync(user, password, lockoutOnFailure: true)).Succeeded)
            return null;
        await AuditSuccessAsync(user);
        return user;
    }

    public override async Task<SignInResult> CheckPasswordSignInAsync(CatalystUser user, string password, bool lockoutOnFailure)
    {
        var wasLockedOut = await UserManager.IsLockedOutAsync(user);
        if (wasLockedOut)
            VerifyDecoy(user, password); // Identity answers a locked account without hashing
        var result = await base.CheckPasswordSignInAsync(user, password, lockoutOnFailure);
        if (result.Succeeded)
            return result;
        var channel = Channel;
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

    private string Channel => Context.Request.Path.StartsWithSegments("/api") ? "api" : "portal";

    private Task AuditSuccessAsync(CatalystUser user) =>
        audit.WriteAsync(log => log.RecordUnauthenticated(user.Id, user.Email, "signin.succeeded", "User", user.Id, new { channel = Channel }), CancellationToken.None);

    private async Task FailUnknownAccountAsync(string? email, string password)
    {
        VerifyDecoy(new CatalystUser(), password);
        await AuditUnknownAccountAsync(email);
    }

    private void VerifyDecoy(CatalystUser user, string password)
    {
        s_decoyHash ??= UserManager.PasswordHasher.HashPassword(user, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)));
        UserManager.PasswordHasher.VerifyHashedPassword(user, s_decoyHash, password);
    }

    /// <summary>A sign-in attempt for an e-mail no account has (kept only when it looks like an e-mail: people type passwords in the wrong field).</summary>
    private Task AuditUnknownAccountAsync(string? email) =>
        audit.WriteAsync(log => log.RecordUnauthenticated(null, email?.Contains('@', StringComparison.Ordinal) == true ? email : "(not an e-mail)", "signin.failed", "User", null,
            new { channel = Channel, reason = "unknown_account" }), CancellationToken.None);
}
