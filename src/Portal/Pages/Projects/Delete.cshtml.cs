using Catalyst.Data.Common;
using Catalyst.Data.Projects;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Projects;

/// <summary>Deleting asks first: this page is the confirmation.</summary>
public class DeleteModel(ProjectService projects) : PageModel
{
    public Project Project { get; private set; } = null!;

    public async Task OnGetAsync(Guid id, CancellationToken ct)
    {
        ViewData["Section"] = "Projects";
        Project = await projects.GetAsync(User.ToActor(), id, ct);
    }

    public async Task<IActionResult> OnPostAsync(Guid id, long version, CancellationToken ct)
    {
        try
        {
            var project = await projects.GetAsync(User.ToActor(), id, ct);
            await projects.DeleteAsync(User.ToActor(), id, version, ct);
            TempData["Flash"] = $"Project “{project.Name}” was deleted.";
        }
        catch (VersionConflictException)
        {
            TempData["Flash"] = "The project changed after you opened the confirmation; it was not deleted. Review it and try again.";
            return RedirectToPage("Delete", new { id });
        }
        return RedirectToPage("Index");
    }
}
