using Catalyst.Data.Websites;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Websites;

/// <summary>
/// One version of a website's data (a conflict backup too): its sections pretty-printed (the
/// first MiB of each), a download of the whole document, and restoring it. This page is the
/// restore confirmation: restoring makes a new current version, nothing is overwritten.
/// </summary>
public class VersionModel(WebsiteService websites, WebsiteDataService data) : PageModel
{
    public Website Website { get; private set; } = null!;
    public WebsiteDataVersion Data { get; private set; } = null!;
    public int CurrentVersion { get; private set; }
    public IReadOnlyList<(string Section, PrettyJson? Json)> Sections { get; private set; } = [];

    public bool IsCurrent => Data.Version == CurrentVersion;

    public async Task OnGetAsync(Guid id, int version, CancellationToken ct)
    {
        ViewData["Section"] = "Websites";
        var actor = User.ToActor();
        Website = await websites.GetAsync(actor, id, ct);
        Data = await data.GetVersionAsync(actor, id, version, ct);
        CurrentVersion = (await data.GetCurrentAsync(actor, id, ct))?.Version ?? 0;
        var sections = new List<(string, PrettyJson?)>();
        foreach (var section in WebsiteSections.All)
        {
            if (Data.ShaOf(section) is null)
            {
                sections.Add((section, null));
                continue;
            }
            await using var stream = await data.OpenSectionAsync(Data, section, ct);
            sections.Add((section, await JsonPretty.FormatAsync(stream, Data.LengthOf(section), JsonPretty.DisplayLimitBytes, ct)));
        }
        Sections = sections;
    }

    /// <summary>The whole document of this version as a JSON file (ranges supported).</summary>
    public async Task<IActionResult> OnGetDownloadAsync(Guid id, int version, CancellationToken ct)
    {
        var row = await data.GetVersionAsync(User.ToActor(), id, version, ct);
        var document = await data.OpenDocumentAsync(row, ct);
        return new HttpResultAction(BlobResults.Serve(HttpContext, document, "application/json", $"website-{id}-v{version}.json",
            $"{id:N}-v{version}", row.CreatedAt, immutable: true));
    }

    /// <summary>Restores this version; <paramref name="current"/> is the version the person saw as current.</summary>
    public async Task<IActionResult> OnPostRestoreAsync(Guid id, int version, int current, CancellationToken ct)
    {
        var result = await data.RestoreAsync(User.ToActor(), id, version, current, ct);
        TempData["Flash"] = result.Conflict
            ? $"The data changed while you were looking (now v{result.CurrentVersion}), so v{version} was not restored; your restore was kept as conflict backup v{result.Version.Version}. Review the versions and restore again."
            : $"Version v{version} was restored as the new current version v{result.Version.Version}.";
        return Redirect($"/Websites/Details/{id}?tab={(result.Conflict ? "conflicts" : "data")}");
    }
}
