using Catalyst.Data.Common;
using Catalyst.Data.Marketplace;
using Catalyst.Portal.Infrastructure;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Marketplace;

/// <summary>The signed-in user's purchases, newest first, each with its download.</summary>
public class PurchasesModel(PurchaseService purchases, DownloadService downloads) : PageModel
{
    // "page" is also the route value naming the Razor Page; read the page number from the query.
    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public Page<Purchase> Purchases { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        ViewData["Section"] = "Marketplace";
        Purchases = await purchases.ListAsync(User.ToActor(), new PurchaseQuery(), new PageRequest(Math.Max(1, PageNumber), 20), ct);
        return Request.IsHtmx() ? Partial("_Purchases", this) : Page();
    }

    /// <summary>Mints a single-use token for a bought project and sends the browser to it.</summary>
    public async Task<IActionResult> OnPostDownloadAsync(Guid projectId, CancellationToken ct)
    {
        try
        {
            var issued = await downloads.IssueAsync(User.ToActor(), projectId, ct);
            return Redirect($"/api/marketplace/download/{issued.Token}");
        }
        catch (Exception ex) when (ex is ForbiddenException or ConflictException or NotFoundException)
        {
            TempData["Flash"] = ex is NotFoundException ? "That project is no longer available." : ex.Message;
            return RedirectToPage();
        }
    }
}
