using Catalyst.Data.Common;
using Catalyst.Data.Marketplace;
using Catalyst.Portal.Infrastructure;
using Htmx;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Marketplace;

/// <summary>The fields of the review form; the service has the final word.</summary>
public sealed class ReviewForm
{
    public int? Rating { get; set; }
    public string? Title { get; set; }
    public string? Body { get; set; }

    public ReviewInput ToInput() => new(Rating, Title, Body);
}

/// <summary>
/// A marketplace project: its listing, reviews, and what the visitor may do (buy, download,
/// review). Visitors who are not signed in may look; every action asks them to sign in first.
/// </summary>
[AllowAnonymous]
public class DetailsModel(MarketplaceCatalog catalog, PurchaseService purchases, ReviewService reviews, DownloadService downloads) : PageModel
{
    public const int ReviewPageSize = 10;

    public MarketplaceListing Listing { get; private set; } = null!;
    public Page<Review> Reviews { get; private set; } = null!;
    public Review? MyReview { get; private set; }

    // "page" is also the route value naming the Razor Page; read the reviews' page from the query.
    [FromQuery(Name = "page")]
    public int ReviewPage { get; set; } = 1;

    [BindProperty]
    public ReviewForm Input { get; set; } = new();

    /// <summary>The version of the review the edit form was loaded from.</summary>
    [BindProperty]
    public long ReviewVersion { get; set; }

    /// <summary>One key per rendered buy form: a double submit is one purchase.</summary>
    [BindProperty]
    public string? IdempotencyKey { get; set; }

    /// <summary>The price (minor units) and currency the buyer confirmed; a purchase needs both, and they must still be the price.</summary>
    [BindProperty]
    public long? ConfirmedPrice { get; set; }

    [BindProperty]
    public string? ConfirmedCurrency { get; set; }

    /// <summary>Whether the page shows the confirmation step (what is bought, for how much) instead of the buy button.</summary>
    public bool Confirming { get; private set; }

    private Actor? Viewer => User.Identity?.IsAuthenticated == true ? User.ToActor() : null;

    public string ReviewsUrl => $"/Marketplace/Details/{Listing.Project.Id}?handler=Reviews";

    public async Task OnGetAsync(Guid id, CancellationToken ct)
    {
        await LoadAsync(id, ct);
        IdempotencyKey = Guid.NewGuid().ToString("N");
        if (MyReview is { } mine)
        {
            Input = new ReviewForm { Rating = mine.Rating, Title = mine.Title, Body = mine.Body };
            ReviewVersion = mine.Version;
        }
    }

    /// <summary>A page of reviews, for the htmx pager.</summary>
    public async Task<IActionResult> OnGetReviewsAsync(Guid id, CancellationToken ct)
    {
        await LoadAsync(id, ct);
        return Request.IsHtmx() ? Partial("_Reviews", this) : Redirect($"/Marketplace/Details/{id}?page={Math.Max(1, ReviewPage)}#reviews");
    }

    /// <summary>The confirmation step: what is bought and its price, and the one form that buys it.</summary>
    public async Task<IActionResult> OnGetConfirmAsync(Guid id, CancellationToken ct)
    {
        if (Viewer is null)
            return Challenge();
        await LoadAsync(id, ct);
        var viewer = Listing.Viewer;
        if (!viewer.CanPurchase)
        {
            TempData["Flash"] = viewer.IsOwner ? "You cannot buy your own project." : viewer.PurchaseId is not null ? "You already own this project." : "This project cannot be bought.";
            return RedirectToPage(new { id });
        }
        Confirming = true;
        IdempotencyKey = Guid.NewGuid().ToString("N");
        ConfirmedPrice = Listing.Project.Price ?? 0;
        ConfirmedCurrency = Listing.Project.Currency;
        return Page();
    }

    /// <summary>Buys at the price the buyer confirmed; without a confirmation it sends them to the confirmation step.</summary>
    public async Task<IActionResult> OnPostBuyAsync(Guid id, CancellationToken ct)
    {
        if (Viewer is not { } actor)
            return Challenge();
        if (ConfirmedPrice is not { } price || string.IsNullOrWhiteSpace(ConfirmedCurrency))
        {
            TempData["Flash"] = "Nothing was bought: check what you buy and its price, then confirm.";
            return RedirectToPage(new { id, handler = "Confirm" });
        }
        try
        {
            var outcome = await purchases.PurchaseAsync(actor, id, string.IsNullOrEmpty(IdempotencyKey) ? null : IdempotencyKey,
                new QuotedPrice(price, ConfirmedCurrency.Trim()), ct);
            TempData["Flash"] = $"You bought “{outcome.Purchase.ProjectName}” for {Currencies.Format(outcome.Purchase.Amount, outcome.Purchase.Currency)}. It is in My purchases.";
        }
        catch (ConflictException ex) when (ex.Code == "price_changed")
        {
            TempData["Flash"] = ex.Message;
            return RedirectToPage(new { id, handler = "Confirm" });
        }
        catch (ConflictException ex)
        {
            TempData["Flash"] = ex.Message;
        }
        catch (PaymentDeclinedException ex)
        {
            TempData["Flash"] = "The payment was declined: " + ex.Message;
        }
        catch (ValidationFailedException)
        {
            TempData["Flash"] = "That purchase form was not valid; reload the page and try again.";
        }
        return RedirectToPage(new { id });
    }

    /// <summary>Mints a single-use token and sends the browser to its download URL.</summary>
    public async Task<IActionResult> OnPostDownloadAsync(Guid id, CancellationToken ct)
    {
        if (Viewer is not { } actor)
            return Challenge();
        try
        {
            var issued = await downloads.IssueAsync(actor, id, ct);
            return Redirect($"/api/marketplace/download/{issued.Token}");
        }
        catch (Exception ex) when (ex is ForbiddenException or ConflictException)
        {
            TempData["Flash"] = ex.Message;
            return RedirectToPage(new { id });
        }
    }

    /// <summary>Writes the visitor's review, or updates it when they have one.</summary>
    public async Task<IActionResult> OnPostReviewAsync(Guid id, CancellationToken ct)
    {
        if (Viewer is not { } actor)
            return Challenge();
        await LoadAsync(id, ct);
        try
        {
            if (MyReview is { } mine)
                await reviews.UpdateAsync(actor, mine.Id, ReviewVersion, Input.ToInput(), ct);
            else
                await reviews.CreateAsync(actor, id, Input.ToInput(), ct);
            TempData["Flash"] = MyReview is null ? "Thank you: your review is published." : "Your review was updated.";
            return RedirectToPage(new { id });
        }
        catch (ValidationFailedException ex)
        {
            ModelState.AddDomainErrors(ex);
            IdempotencyKey = Guid.NewGuid().ToString("N"); // the re-rendered page's buy form needs its own key
            return Page();
        }
        catch (Exception ex) when (ex is ForbiddenException or ConflictException)
        {
            TempData["Flash"] = ex.Message;
        }
        catch (VersionConflictException)
        {
            TempData["Flash"] = "Your review was changed elsewhere meanwhile; nothing was saved. Here is the current one.";
        }
        return RedirectToPage(new { id });
    }

    /// <summary>The author removes their review, or an admin removes any.</summary>
    public async Task<IActionResult> OnPostDeleteReviewAsync(Guid id, Guid reviewId, CancellationToken ct)
    {
        if (Viewer is not { } actor)
            return Challenge();
        var review = await reviews.GetAsync(actor, reviewId, ct);
        if (review.ProjectId != id)
            throw new NotFoundException("Review");
        await reviews.DeleteAsync(actor, reviewId, ct);
        TempData["Flash"] = "The review was removed.";
        return RedirectToPage(new { id });
    }

    private async Task LoadAsync(Guid id, CancellationToken ct)
    {
        ViewData["Section"] = "Marketplace";
        var viewer = Viewer;
        Listing = await catalog.GetAsync(viewer, id, ct);
        Reviews = await reviews.ListAsync(viewer, id, new PageRequest(Math.Max(1, ReviewPage), ReviewPageSize), ct);
        if (Listing.Viewer.ReviewId is { } mine)
            MyReview = await reviews.GetAsync(viewer, mine, ct);
    }

    public bool CanRemove(Review review) => Viewer is { } actor && actor.CanAccess(review.UserId);
}
