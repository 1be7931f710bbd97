using Catalyst.Data.Assets;
using Catalyst.Data.Common;
using Catalyst.Data.Marketplace;
using Catalyst.Data.Projects;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Marketplace;

/// <summary>The publish form's fields. The price is typed in major units ("12.50") and stored in minor units.</summary>
public sealed class PublishForm
{
    public string? Price { get; set; }
    public string? Currency { get; set; }
    public string? Category { get; set; }
    /// <summary>An asset id, or empty to keep the current package.</summary>
    public Guid? PackageAssetId { get; set; }
}

/// <summary>The marketplace listing of one project (its owner or an admin): publish, update, unpublish, and its downloads.</summary>
public class PublishModel(MarketplaceCatalog catalog, DownloadService downloads) : PageModel
{
    public const string DefaultCurrency = "EUR";

    [BindProperty]
    public PublishForm Input { get; set; } = new();

    /// <summary>The project version the form was loaded from: publishing over a newer one is refused.</summary>
    [BindProperty]
    public long Version { get; set; }

    public Project Project { get; private set; } = null!;
    public MarketplacePackage? Package { get; private set; }
    public IReadOnlyList<Asset> Assets { get; private set; } = [];
    public Page<Download> Downloads { get; private set; } = null!;
    public bool Conflict { get; private set; }

    public async Task OnGetAsync(Guid id, CancellationToken ct)
    {
        await LoadAsync(id, ct);
        Version = Project.Version;
        var currency = Project.Currency ?? DefaultCurrency;
        Input = new PublishForm
        {
            Price = Project.Price is { } price ? Currencies.FormatAmount(price, currency).Replace(",", "", StringComparison.Ordinal) : "",
            Currency = currency,
            Category = Project.Category,
        };
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken ct)
    {
        await LoadAsync(id, ct);
        if (!ModelState.IsValid)
            return Page(); // e.g. a package id that is not an id
        var currency = Currencies.Normalize(Input.Currency);
        long? price = null;
        if (currency is not null && Currencies.TryParseAmount(Input.Price, currency, MarketplaceRules.MaxPrice, out var minor))
            price = minor;
        try
        {
            if (price is null)
            {
                // Report the other fields' problems with the price's.
                try { MarketplaceRules.ValidatePublish(new PublishInput(0, Input.Currency, Input.Category, null)); }
                catch (ValidationFailedException ex) { ModelState.AddDomainErrors(ex); }
                if (currency is not null)
                    ModelState.AddModelError("Input.Price", string.IsNullOrWhiteSpace(Input.Price)
                        ? "Price is required (0 for a free project)."
                        : $"Enter an amount such as {Example(currency)}: at most {Currencies.MinorUnitDigits(currency)} decimals, up to {Currencies.FormatAmount(MarketplaceRules.MaxPrice, currency)}.");
                return Page();
            }
            var project = await catalog.PublishAsync(User.ToActor(), id, Version, new PublishInput(price, currency, Input.Category, Input.PackageAssetId), ct);
            TempData["Flash"] = $"“{project.Name}” is listed in the marketplace for {MarketplaceDisplay.Price(project.Price, project.Currency)}.";
            return RedirectToPage("Details", new { id });
        }
        catch (ValidationFailedException ex)
        {
            ModelState.AddDomainErrors(ex);
        }
        catch (ConflictException ex)
        {
            ModelState.AddModelError("", ex.Message);
        }
        catch (VersionConflictException)
        {
            Conflict = true;
            Response.StatusCode = StatusCodes.Status409Conflict;
        }
        return Page();
    }

    public async Task<IActionResult> OnPostUnpublishAsync(Guid id, CancellationToken ct)
    {
        var project = await catalog.UnpublishAsync(User.ToActor(), id, null, ct);
        TempData["Flash"] = $"“{project.Name}” is no longer listed. Buyers keep their purchases and downloads.";
        return RedirectToPage(new { id });
    }

    private async Task LoadAsync(Guid id, CancellationToken ct)
    {
        ViewData["Section"] = "Projects";
        (Project, Package, Assets) = await catalog.GetForPublishingAsync(User.ToActor(), id, ct);
        Downloads = await downloads.ListAsync(User.ToActor(), id, new PageRequest(1, 10), ct);
    }

    private static string Example(string currency) => Currencies.MinorUnitDigits(currency) switch
    {
        0 => "1200",
        var digits => "12." + "50".PadRight(digits, '0')[..digits],
    };
}
