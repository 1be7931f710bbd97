using Catalyst.Data.Common;
using Catalyst.Data.Websites;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Websites;

public class CreateModel(WebsiteService websites) : PageModel
{
    [BindProperty]
    public WebsiteForm Input { get; set; } = new();

    public void OnGet() => ViewData["Section"] = "Websites";

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        ViewData["Section"] = "Websites";
        if (!ModelState.IsValid || Input.ToInput(ModelState) is not { } input)
            return Page();
        try
        {
            var website = await websites.CreateAsync(User.ToActor(), input, ct);
            TempData["Flash"] = $"Website “{website.Name}” was created.";
            return RedirectToPage("Details", new { id = website.Id });
        }
        catch (ValidationFailedException ex)
        {
            ModelState.AddDomainErrors(ex);
        }
        catch (ConflictException ex) when (ex.Code == "slug_taken")
        {
            ModelState.AddModelError("Input.Slug", ex.Message);
        }
        return Page();
    }
}
