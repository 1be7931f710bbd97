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

    public async Task EnsureAsync(TextWriter console, CancellationToken ct)
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

        var adminRoleId = await db.Roles.Where(r => r.NormalizedName == "ADMIN").Select(r => r.Id).SingleAsync(ct);
        if (await db.UserRoles.AnyAsync(ur => ur.RoleId == adminRoleId, ct))
            return;

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
                    return; // another instance created it a moment ago
                throw new InvalidOperationException(
                    "Catalyst:Admin:Password was rejected: " + string.Join(" ", created.Errors.Select(e => e.Description)));
            }
        }
        await users.AddToRolesAsync(user, [Roles.Admin, Roles.User]);
        logger.LogInformation("Created the admin account {Email}", email);
        if (generated)
        {
            await console.WriteLineAsync($"""

                ============================================================
                 Catalyst admin account created
                   e-mail:   {email}
                   password: {password}
                 This password is shown only once. Set Catalyst__Admin__Email
                 and Catalyst__Admin__Password to choose your own.
                ============================================================

                """);
        }
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
