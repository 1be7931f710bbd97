using Catalyst.Data.Common;
using Catalyst.Data.Websites;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Websites;

/// <summary>Deleting asks first, and says what goes with the website: its content and its data's history.</summary>
public class DeleteModel(WebsiteService websites, ContentModelService content, WebsiteDataService data) : PageModel
{
    public Website Website { get; private set; } = null!;
    public int TypeCount { get; private set; }
    public int ItemCount { get; private set; }
    public int VersionCount { get; private set; }

    public async Task OnGetAsync(Guid id, CancellationToken ct)
    {
        ViewData["Section"] = "Websites";
        var actor = User.ToActor();
        Website = await websites.GetAsync(actor, id, ct);
        TypeCount = (await content.ListTypesAsync(actor, id, ct)).Count;
        ItemCount = (await content.ListItemsAsync(actor, id, new ContentItemQuery(), new PageRequest(1, 1), ct)).Total;
        VersionCount = (await data.ListVersionsAsync(actor, id, null, new PageRequest(1, 1), ct)).Page.Total;
    }

    public async Task<IActionResult> OnPostAsync(Guid id, long version, CancellationToken ct)
    {
        try
        {
            var website = await websites.GetAsync(User.ToActor(), id, ct);
            await websites.DeleteAsync(User.ToActor(), id, version, ct);
            TempData["Flash"] = $"Website “{website.Name}” and its data's history were deleted.";
        }
        catch (VersionConflictException)
        {
            TempData["Flash"] = "The website changed after you opened the confirmation; it was not deleted. Review it and try again.";
            return RedirectToPage("Delete", new { id });
        }
        return RedirectToPage("Index");
    }
}
