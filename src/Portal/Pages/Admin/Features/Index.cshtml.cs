using Catalyst.Data.Common;
using Catalyst.Data.Features;
using Catalyst.Portal.Infrastructure;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Admin.Features;

/// <summary>One row of the flag list, with what the last action on it says (a refused toggle).</summary>
public sealed record FlagRow(FeatureFlag Flag, string? Notice = null);

/// <summary>Feature flags with their rule, and a check of what one user gets (the same answer as their sign-in sync).</summary>
public class IndexModel(FeatureFlagService flags, IUserFeatures userFeatures, Catalyst.Data.Identity.UserAdminService users) : PageModel
{
    public IReadOnlyList<FeatureFlag> Flags { get; private set; } = [];

    [BindProperty(SupportsGet = true, Name = "check")]
    public string? CheckEmail { get; set; }

    public IReadOnlyDictionary<string, bool>? Checked { get; private set; }
    public string? CheckError { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        ViewData["Section"] = "Admin";
        Flags = await flags.ListAsync(ct);
        if (!string.IsNullOrWhiteSpace(CheckEmail))
        {
            var found = (await users.ListAsync(CheckEmail.Trim(), new Catalyst.Data.Common.PageRequest(1, 2), ct)).Items
                .FirstOrDefault(u => string.Equals(u.Email, CheckEmail.Trim(), StringComparison.OrdinalIgnoreCase));
            if (found is null)
                CheckError = "No user has this e-mail address.";
            else
                Checked = await userFeatures.ForUserAsync(found.Id, ct);
        }
    }

    public async Task<IActionResult> OnPostDeleteAsync(string name, CancellationToken ct)
    {
        await flags.DeleteAsync(User.ToActor(), name, ct);
        TempData["Flash"] = $"Feature flag “{name}” was deleted.";
        return RedirectToPage();
    }

    /// <summary>
    /// Turns an off flag on for everyone, and any other flag off (the rollback), through the same
    /// versioned update and audit entry as the edit page. <paramref name="version"/> is the one the
    /// row was rendered with: a row older than the flag changes nothing and says so.
    /// </summary>
    public async Task<IActionResult> OnPostToggleAsync(string name, long? version, CancellationToken ct)
    {
        var flag = await flags.GetAsync(name, ct);
        string? notice = null;
        if (version is not { } expected)
            notice = "The toggle came without the flag's version; nothing was changed. Reload the list and try again.";
        else
        {
            var input = new FeatureFlagInput(flag.Name, flag.Description, flag.State == FeatureFlagState.Off ? FeatureFlagState.On : FeatureFlagState.Off,
                flag.Percentage, flag.Users, flag.Roles);
            try
            {
                flag = (await flags.PutAsync(User.ToActor(), name, expected, input, ct)).Flag;
            }
            catch (Exception ex) when (ex is VersionConflictException or ConflictException)
            {
                flag = await flags.GetAsync(name, ct);
                notice = "Someone else changed this flag meanwhile; nothing was changed. This is its current state.";
            }
            catch (ValidationFailedException ex)
            {
                notice = "The flag cannot be switched as it is: " + string.Join(" ", ex.Errors.Values.SelectMany(m => m)) + " Edit it instead.";
            }
        }
        if (Request.IsHtmx())
            return Partial("_Row", new FlagRow(flag, notice));
        TempData["Flash"] = notice ?? $"Feature flag “{flag.Name}” is now {Rule(flag)}.";
        return RedirectToPage();
    }

    public static string Rule(FeatureFlag f) => f.State switch
    {
        FeatureFlagState.On => "on for everyone",
        FeatureFlagState.Off => "off for everyone",
        FeatureFlagState.Percentage => $"on for {f.Percentage}% of users (sticky)",
        _ => "on for " + string.Join(", ", f.Roles.Select(r => $"role {r}").Concat(f.Users.Take(5)))
             + (f.Users.Count > 5 ? $" and {f.Users.Count - 5} more" : ""),
    };
}
