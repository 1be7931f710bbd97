using System.Security.Cryptography;
using Catalyst.Data.Configuration;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Identity;

/// <summary>
/// Makes sure the roles exist and that there is an admin: from <c>Catalyst:Admin:Email/Password</c>
/// or, without them, <c>admin@localhost</c> with a random password printed once to the console
/// (never to the log files).
/// </summary>
public sealed class IdentityBootstrapper(
    CatalystDbContext db,
    UserManager<CatalystUser> users,
    RoleManager<CatalystRole> roles,
    IOptions<CatalystOptions> options,
    ILogger<IdentityBootstrapper> logger)
{
    public const string DefaultAdminEmail = "admin@localhost";

    /// <summary>Roles and admin, the generated password (if any) printed to <paramref name="console"/>.</summary>
    public async Task EnsureAsync(TextWriter console, CancellationToken ct)
    {
        await EnsureRolesAsync(ct);
        if (await EnsureAdminAsync(ct) is { } generated)
        {
            await console.WriteLineAsync($"""

                ============================================================
                 Catalyst admin account created
                   e-mail:   {generated.Email}
                   password: {generated.Password}
                 This password is shown only once. Set Catalyst__Admin__Email
                 and Catalyst__Admin__Password to choose your own.
                ============================================================

                """);
        }
    }

    public async Task EnsureRolesAsync(CancellationToken ct)
    {
        // Several instances may start at once on one database: a lost race is fine, an absent role is not.
        foreach (var role in Roles.All)
        {
            if (await roles.RoleExistsAsync(role))
                continue;
            try
            {
                await roles.CreateAsync(new CatalystRole(role));
            }
            catch (DbUpdateException)
            {
                db.ChangeTracker.Clear();
                if (!await roles.RoleExistsAsync(role))
                    throw;
            }
        }
    }

    /// <summary>
    /// Creates the admin when there is none (the roles exist already). Returns the account when its
    /// password was generated: the caller shows it once, to the console and never to the log.
    /// </summary>
    public async Task<GeneratedAdmin?> EnsureAdminAsync(CancellationToken ct)
    {
        var adminRoleId = await db.Roles.Where(r => r.NormalizedName == "ADMIN").Select(r => r.Id).SingleAsync(ct);
        if (await db.UserRoles.AnyAsync(ur => ur.RoleId == adminRoleId, ct))
            return null;

        var configured = options.Value.Admin;
        var email = string.IsNullOrWhiteSpace(configured.Email) ? DefaultAdminEmail : configured.Email.Trim();
        var generated = string.IsNullOrEmpty(configured.Password);
        var password = generated ? GeneratePassword() : configured.Password!;

        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            user = new CatalystUser { Id = Guid.CreateVersion7(), UserName = email, Email = email, EmailConfirmed = true };
            IdentityResult created;
            try
            {
                created = await users.CreateAsync(user, password);
            }
            catch (DbUpdateException)
            {
                created = IdentityResult.Failed(new IdentityError { Description = "The admin was created concurrently." });
            }
            if (!created.Succeeded)
            {
                if (await users.FindByEmailAsync(email) is not null)
                    return null; // another instance created it a moment ago
                throw new InvalidOperationException(
                    "Catalyst:Admin:Password was rejected: " + string.Join(" ", created.Errors.Select(e => e.Description)));
            }
        }
        await users.AddToRolesAsync(user, [Roles.Admin, Roles.User]);
        logger.LogInformation("Created the admin account {Email}", email);
        return generated ? new GeneratedAdmin(email, password) : null;
    }

    private static string GeneratePassword()
    {
        // Meets the default password rules: upper, lower, digit and symbol.
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        var chars = new char[20];
        for (var i = 0; i < chars.Length; i++)
            chars[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        return "Ct-" + new string(chars) + "9a";
    }
}

/// <summary>An admin account whose password was generated, to show once.</summary>
public sealed record GeneratedAdmin(string Email, string Password);
