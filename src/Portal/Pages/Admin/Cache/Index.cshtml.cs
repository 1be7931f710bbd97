using Catalyst.Data.Caching;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Admin.Cache;

/// <summary>Admin view of the metadata cache: hit rate, size against the limit, evictions, per region; and a way to empty it.</summary>
public class IndexModel(MetadataCache cache) : PageModel
{
    public CacheStatistics Statistics { get; private set; } = null!;

    public void OnGet()
    {
        ViewData["Section"] = "Admin";
        Statistics = cache.Statistics();
    }

    public IActionResult OnPostClear()
    {
        cache.Clear();
        TempData["Flash"] = "The metadata cache was emptied.";
        return RedirectToPage();
    }

    public static string Percent(double ratio) => (ratio * 100).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + "%";
}
