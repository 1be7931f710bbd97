using Catalyst.Data.Common;
using Catalyst.Data.Projects;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Projects;

public class EditModel(ProjectService projects) : PageModel
{
    [BindProperty]
    public ProjectForm Input { get; set; } = new();

    /// <summary>The version the form was loaded from: saving over a newer one is refused.</summary>
    [BindProperty]
    public long Version { get; set; }

    public Project Project { get; private set; } = null!;
    public bool Conflict { get; private set; }

    public async Task OnGetAsync(Guid id, CancellationToken ct)
    {
        ViewData["Section"] = "Projects";
        Project = await projects.GetAsync(User.ToActor(), id, ct);
        Input = ProjectForm.From(Project);
        Version = Project.Version;
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken ct)
    {
        ViewData["Section"] = "Projects";
        Project = await projects.GetAsync(User.ToActor(), id, ct);
        if (!ModelState.IsValid)
            return Page();
        try
        {
            var saved = await projects.UpdateAsync(User.ToActor(), id, Version, Input.ToInput(), ct);
            TempData["Flash"] = $"Project “{saved.Name}” was saved.";
            return RedirectToPage("Index");
        }
        catch (ValidationFailedException ex)
        {
            ModelState.AddDomainErrors(ex);
        }
        catch (VersionConflictException)
        {
            Conflict = true;
            Response.StatusCode = StatusCodes.Status409Conflict;
        }
        return Page();
    }
}
