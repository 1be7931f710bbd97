using Catalyst.Data.Common;
using Catalyst.Data.Features;
using Catalyst.Data.Identity;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Admin.Features;

/// <summary>Create (no name) or edit a feature flag: its state, percentage, users (one e-mail a line) and roles.</summary>
public class EditModel(FeatureFlagService flags) : PageModel
{
    public sealed class FlagForm
    {
        public string? Name { get; set; }
        public string? Description { get; set; }
        public FeatureFlagState State { get; set; } = FeatureFlagState.Off;
        public int? Percentage { get; set; }
        public string? Users { get; set; }
        public List<string> Roles { get; set; } = [];
    }

    [BindProperty]
    public FlagForm Input { get; set; } = new();

    [BindProperty]
    public long Version { get; set; }

    public FeatureFlag? Existing { get; private set; }
    public bool Conflict { get; private set; }

    public async Task OnGetAsync(string? name, CancellationToken ct)
    {
        ViewData["Section"] = "Admin";
        if (name is not null)
        {
            Existing = await flags.GetAsync(name, ct);
            Input = new FlagForm
            {
                Name = Existing.Name, Description = Existing.Description, State = Existing.State, Percentage = Existing.Percentage,
                Users = string.Join('\n', Existing.Users), Roles = [.. Existing.Roles],
            };
            Version = Existing.Version;
        }
    }

    public async Task<IActionResult> OnPostAsync(string? name, CancellationToken ct)
    {
        ViewData["Section"] = "Admin";
        var users = (Input.Users ?? "").Split(['\n', '\r', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var input = new FeatureFlagInput(name ?? Input.Name, Input.Description, Input.State, Input.Percentage, users, Input.Roles);
        try
        {
            var saved = name is null
                ? await flags.CreateAsync(User.ToActor(), input, ct)
                : (await flags.PutAsync(User.ToActor(), name, Version, input, ct)).Flag;
            TempData["Flash"] = $"Feature flag “{saved.Name}” was saved: {IndexModel.Rule(saved)}.";
            return RedirectToPage("Index");
        }
        catch (ValidationFailedException ex)
        {
            ModelState.AddDomainErrors(ex);
        }
        catch (ConflictException ex) when (ex.Code == "feature_exists")
        {
            ModelState.AddModelError("Input.Name", ex.Message);
        }
        catch (Exception ex) when (ex is VersionConflictException or ConflictException)
        {
            Conflict = true;
            Response.StatusCode = StatusCodes.Status409Conflict;
        }
        if (name is not null)
            Existing = await flags.GetAsync(name, ct);
        return Page();
    }

    public static IReadOnlyList<string> AllRoles => Roles.All;
}
