using Catalyst.Data.Common;
using Catalyst.Data.Marketplace;
using Catalyst.Portal.Infrastructure;
using Htmx;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Marketplace;

/// <summary>Admins: every purchase, newest first, with refunds.</summary>
[Authorize(Policy = Policies.Admin)]
public class SalesModel(PurchaseService purchases) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "status")]
    public PurchaseStatus? Status { get; set; }

    // "page" is also the route value naming the Razor Page; read the page number from the query.
    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public Page<Purchase> Purchases { get; private set; } = null!;

    public string ListUrl => Status is { } status ? $"/Marketplace/Sales?status={status}" : "/Marketplace/Sales";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        ViewData["Section"] = "Admin";
        Purchases = await purchases.ListAsync(User.ToActor(), new PurchaseQuery(Status: Status, All: true), new PageRequest(Math.Max(1, PageNumber), 25), ct);
        return Request.IsHtmx() ? Partial("_Sales", this) : Page();
    }

    public async Task<IActionResult> OnPostRefundAsync(Guid id, string? reason, CancellationToken ct)
    {
        try
        {
            var purchase = await purchases.RefundAsync(User.ToActor(), id, reason, ct);
            TempData["Flash"] = $"Refunded {Currencies.Format(purchase.Amount, purchase.Currency)} for “{purchase.ProjectName}”; the buyer can no longer download it.";
        }
        catch (Exception ex) when (ex is ConflictException or ValidationFailedException or PaymentDeclinedException)
        {
            TempData["Flash"] = ex is ValidationFailedException v ? string.Join(" ", v.Errors.SelectMany(e => e.Value)) : ex.Message;
        }
        return Redirect(ListUrl);
    }
}
