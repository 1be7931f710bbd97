using Catalyst.Data.Assets;
using Catalyst.Data.Common;
using Catalyst.Data.Storage;
using Catalyst.Portal.Infrastructure;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Catalyst.Portal.Pages.Assets;

public class IndexModel(AssetService assets, ContentStore content, StorageQuota quota, IOptions<StorageOptions> storage) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Search { get; set; }

    // "page" is also the route value naming the Razor Page; read the page number from the query.
    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public Page<Asset> Assets { get; private set; } = null!;

    public long MaxUploadBytes => storage.Value.Uploads.MaxUploadBytes;

    /// <summary>What the signed-in user holds against their quota (assets, unfinished uploads, website data versions, imports).</summary>
    public long UsedBytes { get; private set; }
    public long QuotaBytes => quota.Limit;

    public string ListUrl => $"/Assets?q={Uri.EscapeDataString(Search ?? "")}";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        ViewData["Section"] = "Assets";
        UsedBytes = await quota.UsedAsync(User.ToActor().UserId, ct);
        Assets = await assets.ListAsync(User.ToActor(), new AssetQuery(Search: Search), new PageRequest(Math.Max(1, PageNumber), 20), ct);
        return Request.IsHtmx() ? Partial("_List", this) : Page();
    }

    /// <summary>Downloads through the portal session (the API takes bearer tokens only), with ranges.</summary>
    public async Task<IActionResult> OnGetDownloadAsync(Guid id, CancellationToken ct)
    {
        var asset = await assets.GetAsync(User.ToActor(), id, ct);
        var stream = await content.OpenReadAsync(asset.Sha256, ct) ?? throw new NotFoundException("Asset content");
        return new HttpResultAction(BlobResults.Serve(HttpContext, stream, asset.MediaType, asset.FileName, asset.Sha256, asset.CreatedAt, immutable: true));
    }

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, CancellationToken ct)
    {
        var asset = await assets.GetAsync(User.ToActor(), id, ct);
        await assets.DeleteAsync(User.ToActor(), id, ct);
        TempData["Flash"] = $"“{asset.FileName}” was deleted.";
        return RedirectToPage();
    }

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / 1048576.0:0.#} MiB",
        _ => $"{bytes / 1073741824.0:0.##} GiB",
    };
}
