using Catalyst.Data.Common;
using Catalyst.Data.Projects;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Projects;

public class CreateModel(ProjectService projects) : PageModel
{
    [BindProperty]
    public ProjectForm Input { get; set; } = new();

    public void OnGet() => ViewData["Section"] = "Projects";

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        ViewData["Section"] = "Projects";
        if (!ModelState.IsValid)
            return Page();
        try
        {
            var project = await projects.CreateAsync(User.ToActor(), Input.ToInput() with { Status = ProjectStatus.Active }, ct);
            TempData["Flash"] = $"Project “{project.Name}” was created.";
            return RedirectToPage("Index");
        }
        catch (ValidationFailedException ex)
        {
            ModelState.AddDomainErrors(ex);
            return Page();
        }
    }
}
