using Catalyst.Data.Common;
using Catalyst.Data.Marketplace;
using Catalyst.Data.Projects;
using Catalyst.Portal.Infrastructure;
using Htmx;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Marketplace;

/// <summary>The storefront: published projects as cards, filtered and sorted; open to visitors who are not signed in.</summary>
[AllowAnonymous]
public class IndexModel(MarketplaceCatalog catalog) : PageModel
{
    public const int PageSize = 12;

    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Search { get; set; }

    [BindProperty(SupportsGet = true, Name = "category")]
    public string? Category { get; set; }

    [BindProperty(SupportsGet = true, Name = "price")]
    public string? Price { get; set; }

    [BindProperty(SupportsGet = true, Name = "sort")]
    public string? Sort { get; set; }

    // "page" is also the route value naming the Razor Page; read the page number from the query.
    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public Page<Project> Projects { get; private set; } = null!;

    /// <summary>A filter the service refused (e.g. an unknown category typed into the URL), shown above the cards.</summary>
    public string? FilterError { get; private set; }

    public bool Filtered => !string.IsNullOrWhiteSpace(Search) || !string.IsNullOrEmpty(Category) || !string.IsNullOrEmpty(Price);

    public MarketplaceSort SortValue => Enum.TryParse<MarketplaceSort>(Sort, ignoreCase: true, out var sort) && Enum.IsDefined(sort) ? sort : MarketplaceSort.Newest;

    public string ListUrl
    {
        get
        {
            var query = string.Join("&", new[] { ("q", Search), ("category", Category), ("price", Price), ("sort", Sort) }
                .Where(p => !string.IsNullOrEmpty(p.Item2)).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!)}"));
            return query.Length == 0 ? "/Marketplace" : "/Marketplace?" + query;
        }
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        ViewData["Section"] = "Marketplace";
        var (min, max) = MarketplaceDisplay.PriceRange(Price);
        var page = new PageRequest(Math.Max(1, PageNumber), PageSize);
        try
        {
            var query = MarketplaceRules.ValidateQuery(Search, Category, min, max, SortValue);
            Projects = await catalog.BrowseAsync(query, page, ct);
        }
        catch (ValidationFailedException ex)
        {
            FilterError = string.Join(" ", ex.Errors.SelectMany(e => e.Value));
            Projects = new Page<Project>([], page.Page, page.PageSize, 0);
        }
        return Request.IsHtmx() ? Partial("_Cards", this) : Page();
    }
}
