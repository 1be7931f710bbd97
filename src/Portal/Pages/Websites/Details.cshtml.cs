using Catalyst.Data.Backups;
using Microsoft.Extensions.Options;
using Catalyst.Data.Configuration;
using System.Text.Json;
using Catalyst.Data.Common;
using Catalyst.Data.Deployments;
using Catalyst.Data.Websites;
using Catalyst.Portal.Infrastructure;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Websites;

/// <summary>
/// A website with five tabs: content types, items, data versions, conflict backups and deployments. Each tab
/// is a link (<c>?tab=</c>) that works without JavaScript; htmx swaps the tab strip and the
/// selected tab's partial in place.
/// </summary>
public class DetailsModel(WebsiteService websites, ContentModelService content, WebsiteDataService data, DeploymentService deployments, IOptions<CatalystOptions> options) : PageModel
{
    public static readonly IReadOnlyList<(string Key, string Label)> Tabs =
        [("types", "Content types"), ("items", "Items"), ("data", "Data versions"), ("conflicts", "Conflicts"), ("deployments", "Deployments")];

    public const int RunsPerConfig = 5;

    [BindProperty(SupportsGet = true, Name = "tab")]
    public string? Tab { get; set; }

    // "page" is also the route value naming the Razor Page; read the page number from the query.
    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    [BindProperty(SupportsGet = true, Name = "type")]
    public Guid? TypeFilter { get; set; }

    [BindProperty(SupportsGet = true, Name = "status")]
    public ContentItemStatus? StatusFilter { get; set; }

    public Website Website { get; private set; } = null!;
    public IReadOnlyList<ContentType> Types { get; private set; } = [];
    public Page<ContentItem>? Items { get; private set; }
    public Page<WebsiteDataVersion>? Versions { get; private set; }
    /// <summary>Accepted versions, oldest first, for the size chart.</summary>
    public IReadOnlyList<WebsiteDataVersion> History { get; private set; } = [];
    public int CurrentVersion { get; private set; }
    public IReadOnlyList<DeploymentConfigDetails> DeploymentConfigs { get; private set; } = [];
    public IReadOnlyDictionary<Guid, IReadOnlyList<DeploymentRunDetails>> DeploymentRuns { get; private set; } = new Dictionary<Guid, IReadOnlyList<DeploymentRunDetails>>();
    public bool AnyRunInProgress => DeploymentRuns.Values.Any(runs => runs.Any(r => !r.Run.IsFinished));

    /// <summary>How many versions, conflict backups and pins a website keeps (shown with the history).</summary>
    public WebsiteDataOptions Retention => options.Value.Websites;

    public string ActiveTab => Tabs.Any(t => t.Key == Tab) ? Tab! : "types";

    public string TabUrl(string tab) => $"/Websites/Details/{Website.Id}?tab={tab}";

    public string ItemsUrl => TabUrl("items") + (TypeFilter is { } t ? $"&type={t}" : "") + (StatusFilter is { } s ? $"&status={s}" : "");

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        ViewData["Section"] = "Websites";
        var actor = User.ToActor();
        Website = await websites.GetAsync(actor, id, ct);
        Types = await content.ListTypesAsync(actor, id, ct);
        var page = new PageRequest(Math.Max(1, PageNumber), 20);
        switch (ActiveTab)
        {
            case "items":
                Items = await content.ListItemsAsync(actor, id, new ContentItemQuery(TypeFilter, StatusFilter), page, ct);
                break;
            case "data":
                (Versions, CurrentVersion) = await data.ListVersionsAsync(actor, id, null, page, ct);
                var (accepted, _) = await data.ListVersionsAsync(actor, id, false, new PageRequest(1, PageRequest.MaxPageSize), ct);
                History = accepted.Items.Reverse().ToList();
                break;
            case "conflicts":
                (Versions, CurrentVersion) = await data.ListVersionsAsync(actor, id, true, page, ct);
                break;
            case "deployments":
                await LoadDeploymentsAsync(actor, id, ct);
                break;
        }
        return Request.IsHtmx() ? Partial("_Tabs", this) : Page();
    }

    /// <summary>Export: a backup job whose bar and download are on the job's page.</summary>
    public async Task<IActionResult> OnPostExportAsync(Guid id, [FromServices] Catalyst.Data.Jobs.JobRunService jobs, CancellationToken ct)
    {
        var website = await websites.GetAsync(User.ToActor(), id, ct);
        var run = await jobs.StartAsync(User.ToActor(), WebsiteExportJob.Kind, new WebsiteExportInput(website.Id), ct);
        // Only what stays true: the job's page says itself, while it runs, where the backup will be.
        TempData["Flash"] = $"Exporting “{website.Name}”.";
        return RedirectToPage("/Jobs/Details", new { id = run.Id });
    }

    /// <summary>The run history alone, which polls itself while a run is queued or running.</summary>
    public async Task<IActionResult> OnGetRunsAsync(Guid id, CancellationToken ct)
    {
        var actor = User.ToActor();
        Website = await websites.GetAsync(actor, id, ct);
        await LoadDeploymentsAsync(actor, id, ct);
        return Partial("_DeploymentRuns", this);
    }

    public async Task<IActionResult> OnPostDeployAsync(Guid id, Guid configId, CancellationToken ct)
    {
        var run = await deployments.DeployAsync(User.ToActor(), configId, ct);
        TempData["Flash"] = $"Deployment to “{run.ConfigName}” queued.";
        return Redirect($"/Websites/Details/{id}?tab=deployments");
    }

    public async Task<IActionResult> OnPostRetryRunAsync(Guid id, Guid runId, CancellationToken ct)
    {
        try
        {
            var run = await deployments.RetryRunAsync(User.ToActor(), runId, ct);
            TempData["Flash"] = $"Deployment to “{run.ConfigName}” queued again.";
        }
        catch (ConflictException ex)
        {
            TempData["Flash"] = ex.Message;
        }
        return Redirect($"/Websites/Details/{id}?tab=deployments");
    }

    public async Task<IActionResult> OnPostDeleteConfigAsync(Guid id, Guid configId, CancellationToken ct)
    {
        var config = await deployments.GetConfigAsync(User.ToActor(), configId, ct);
        await deployments.DeleteConfigAsync(User.ToActor(), configId, null, ct);
        TempData["Flash"] = $"Deployment config “{config.Config.Name}” was deleted.";
        return Redirect($"/Websites/Details/{id}?tab=deployments");
    }

    private async Task LoadDeploymentsAsync(Actor actor, Guid id, CancellationToken ct)
    {
        DeploymentConfigs = await deployments.ListConfigsAsync(actor, id, ct);
        var runs = new Dictionary<Guid, IReadOnlyList<DeploymentRunDetails>>();
        foreach (var config in DeploymentConfigs)
            runs[config.Config.Id] = (await deployments.ListRunsAsync(actor, config.Config.Id, new PageRequest(1, RunsPerConfig), ct)).Items;
        DeploymentRuns = runs;
    }

    /// <summary>Pins (kept whatever the limits) or unpins a version or conflict backup.</summary>
    public async Task<IActionResult> OnPostPinAsync(Guid id, int version, bool pinned, CancellationToken ct)
    {
        try
        {
            var row = await data.SetPinnedAsync(User.ToActor(), id, version, pinned, ct);
            TempData["Flash"] = pinned ? $"v{version} is pinned: it is kept whatever the limits." : $"v{version} is no longer pinned.";
            return Redirect($"/Websites/Details/{id}?tab={(row.IsConflictBackup ? "conflicts" : "data")}");
        }
        catch (ConflictException ex) when (ex.Code == "pin_limit")
        {
            TempData["Flash"] = ex.Message;
            return Redirect($"/Websites/Details/{id}?tab=data");
        }
    }

    public async Task<IActionResult> OnPostDeleteTypeAsync(Guid id, Guid typeId, CancellationToken ct)
    {
        var type = await content.GetTypeAsync(User.ToActor(), id, typeId, ct);
        try
        {
            await content.DeleteTypeAsync(User.ToActor(), id, typeId, ct);
            TempData["Flash"] = $"Content type “{type.Name}” was deleted.";
        }
        catch (ConflictException ex) when (ex.Code == "content_type_in_use")
        {
            TempData["Flash"] = $"“{type.Name}” still has items: delete its items first.";
        }
        return Redirect($"/Websites/Details/{id}?tab=types");
    }

    public async Task<IActionResult> OnPostDeleteItemAsync(Guid id, Guid itemId, CancellationToken ct)
    {
        await content.DeleteItemAsync(User.ToActor(), id, itemId, ct);
        TempData["Flash"] = "The item was deleted.";
        return Redirect($"/Websites/Details/{id}?tab=items");
    }

    public string TypeName(Guid typeId) => Types.FirstOrDefault(t => t.Id == typeId)?.Name ?? "—";

    public string ItemTitle(ContentItem item) => ContentItemLabels.Title(item, Types.FirstOrDefault(t => t.Id == item.ContentTypeId));

    public static string Size(long? bytes) => bytes is { } b ? Assets.IndexModel.Size(b) : "—";

    /// <summary>Line chart data (charts.js) of each section's size over the accepted versions.</summary>
    public string SizeChart() => JsonSerializer.Serialize(new
    {
        labels = History.Select(v => $"v{v.Version}"),
        series = WebsiteSections.All.Select(s => new { label = s, values = History.Select(v => v.LengthOf(s) ?? 0) }),
        unit = "bytes",
    });
}
