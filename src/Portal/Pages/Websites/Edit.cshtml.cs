using Catalyst.Data.Common;
using Catalyst.Data.Websites;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Websites;

public class EditModel(WebsiteService websites) : PageModel
{
    [BindProperty]
    public WebsiteForm Input { get; set; } = new();

    /// <summary>The version the form was loaded from: saving over a newer one is refused.</summary>
    [BindProperty]
    public long Version { get; set; }

    public Website Website { get; private set; } = null!;
    public bool Conflict { get; private set; }

    public async Task OnGetAsync(Guid id, CancellationToken ct)
    {
        ViewData["Section"] = "Websites";
        Website = await websites.GetAsync(User.ToActor(), id, ct);
        Input = WebsiteForm.From(Website);
        Version = Website.Version;
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken ct)
    {
        ViewData["Section"] = "Websites";
        Website = await websites.GetAsync(User.ToActor(), id, ct);
        if (!ModelState.IsValid || Input.ToInput(ModelState) is not { } input)
            return Page();
        try
        {
            var saved = await websites.UpdateAsync(User.ToActor(), id, Version, input, ct);
            TempData["Flash"] = $"Website “{saved.Name}” was saved.";
            return RedirectToPage("Details", new { id });
        }
        catch (ValidationFailedException ex)
        {
            ModelState.AddDomainErrors(ex);
        }
        catch (ConflictException ex) when (ex.Code == "slug_taken")
        {
            ModelState.AddModelError("Input.Slug", ex.Message);
        }
        catch (VersionConflictException)
        {
            Conflict = true;
            Website = await websites.GetAsync(User.ToActor(), id, ct);
            Response.StatusCode = StatusCodes.Status409Conflict;
        }
        return Page();
    }
}
