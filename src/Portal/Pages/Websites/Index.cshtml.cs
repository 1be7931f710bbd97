using Catalyst.Data.Common;
using Catalyst.Data.Websites;
using Catalyst.Portal.Infrastructure;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Websites;

public class IndexModel(WebsiteService websites) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Search { get; set; }

    // "page" is also the route value naming the Razor Page; read the page number from the query.
    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public Page<Website> Websites { get; private set; } = null!;

    public string ListUrl => $"/Websites?q={Uri.EscapeDataString(Search ?? "")}";

    /// <summary>Full page, or just the list when htmx asks (search-as-you-type, paging).</summary>
    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        ViewData["Section"] = "Websites";
        Websites = await websites.ListAsync(User.ToActor(), Search, new PageRequest(Math.Max(1, PageNumber), 20), ct);
        return Request.IsHtmx() ? Partial("_List", this) : Page();
    }
}
