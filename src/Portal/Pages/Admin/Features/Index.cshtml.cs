using Catalyst.Data.Features;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Admin.Features;

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

    public static string Rule(FeatureFlag f) => f.State switch
    {
        FeatureFlagState.On => "on for everyone",
        FeatureFlagState.Off => "off for everyone",
        FeatureFlagState.Percentage => $"on for {f.Percentage}% of users (sticky)",
        _ => "on for " + string.Join(", ", f.Roles.Select(r => $"role {r}").Concat(f.Users.Take(5)))
             + (f.Users.Count > 5 ? $" and {f.Users.Count - 5} more" : ""),
    };
}
