using System.Net;
using AngleSharp.Html.Dom;
using Catalyst.Data.Marketplace;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Marketplace;

/// <summary>The portal buys only through its confirmation step, which shows what is bought and the price, and only at that price.</summary>
public class PurchaseConfirmationPageTests(PortalFactory portal)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<int> PurchasesAsync(TestUser buyer) =>
        portal.WithDbAsync(db => db.Set<Purchase>().CountAsync(p => p.UserId == buyer.Id, Ct));

    private static Dictionary<string, string> ConfirmFields(IHtmlDocument confirm)
    {
        var form = confirm.QuerySelector("[data-testid=confirm-purchase] form")!;
        return form.QuerySelectorAll("input[type=hidden]").ToDictionary(i => i.GetAttribute("name")!, i => i.GetAttribute("value") ?? "");
    }

    private async Task<string> FlashAfterAsync(HttpClient browser, HttpResponseMessage redirect) =>
        (await browser.GetDocumentAsync(redirect.Headers.Location!.OriginalString)).QuerySelector(".flash")?.TextContent.Trim() ?? "";

    [Fact]
    public async Task The_buy_button_opens_a_confirmation_of_the_project_and_price_and_only_confirming_buys()
    {
        var listing = await portal.PublishedAsync(price: 1250);
        var buyer = await portal.CreateUserAsync("confirming");
        var browser = await portal.CreateSignedInBrowserAsync(buyer);
        var details = await browser.GetDocumentAsync($"/Marketplace/Details/{listing.ProjectId}");
        var buy = details.QuerySelector("[data-testid=buy]");
        Assert.Equal("a", buy?.LocalName); // a way to the confirmation, not a form that buys
        Assert.Equal("Buy for 12.50 EUR", buy?.TextContent.Trim());
        Assert.Null(details.QuerySelector("form[action*='handler=Buy']"));

        var confirm = await browser.GetDocumentAsync(buy!.GetAttribute("href")!);

        Assert.Equal($"Confirm the purchase of {listing.Name} · Catalyst", confirm.Title);
        Assert.Equal(listing.Name, confirm.QuerySelector("[data-testid=confirm-project]")?.TextContent.Trim());
        Assert.Equal("12.50 EUR", confirm.QuerySelector("[data-testid=confirm-price]")?.TextContent.Trim());
        Assert.Equal("Confirm and pay 12.50 EUR", confirm.QuerySelector("[data-testid=confirm-buy]")?.TextContent.Trim());
        Assert.NotNull(confirm.QuerySelector("[data-testid=cancel-buy]"));
        Assert.Equal(0, await PurchasesAsync(buyer)); // looking is free

        var fields = ConfirmFields(confirm);
        fields["__RequestVerificationToken"] = confirm.AntiforgeryToken();
        var bought = await browser.PostAsync($"/Marketplace/Details/{listing.ProjectId}?handler=Buy", new FormUrlEncodedContent(fields));

        Assert.Equal(HttpStatusCode.Redirect, bought.StatusCode);
        Assert.StartsWith("You bought", await FlashAfterAsync(browser, bought), StringComparison.Ordinal);
        var purchase = await portal.WithDbAsync(db => db.Set<Purchase>().SingleAsync(p => p.UserId == buyer.Id, Ct));
        Assert.Equal((1250L, "EUR"), (purchase.Amount, purchase.Currency));
    }

    [Fact]
    public async Task A_buy_post_without_a_confirmation_buys_nothing_and_leads_to_the_confirmation_step()
    {
        var listing = await portal.PublishedAsync(price: 900);
        var buyer = await portal.CreateUserAsync("unconfirmed");
        var browser = await portal.CreateSignedInBrowserAsync(buyer);
        var url = $"/Marketplace/Details/{listing.ProjectId}";

        var bare = await browser.PostFormAsync(url, new Dictionary<string, string> { ["IdempotencyKey"] = Guid.NewGuid().ToString("N") }, url + "?handler=Buy");
        var halfConfirmed = await browser.PostFormAsync(url, new Dictionary<string, string> { ["ConfirmedPrice"] = "900" }, url + "?handler=Buy");
        var garbled = await browser.PostFormAsync(url, new Dictionary<string, string> { ["ConfirmedPrice"] = "nine", ["ConfirmedCurrency"] = "EUR" }, url + "?handler=Buy");

        foreach (var refused in new[] { bare, halfConfirmed, garbled })
        {
            Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
            Assert.Equal($"{url}?handler=Confirm", refused.Headers.Location?.OriginalString);
        }
        Assert.Equal("Nothing was bought: check what you buy and its price, then confirm.", await FlashAfterAsync(browser, bare));
        Assert.Equal(0, await PurchasesAsync(buyer));
    }

    [Fact]
    public async Task A_confirmation_of_an_old_price_buys_nothing_and_shows_the_new_price()
    {
        var listing = await portal.PublishedAsync(price: 500);
        var buyer = await portal.CreateUserAsync("old-price");
        var browser = await portal.CreateSignedInBrowserAsync(buyer);
        var confirm = await browser.GetDocumentAsync($"/Marketplace/Details/{listing.ProjectId}?handler=Confirm");
        var fields = ConfirmFields(confirm);
        fields["__RequestVerificationToken"] = confirm.AntiforgeryToken();
        var republished = await listing.SellerApi.PostJsonAsync($"/api/projects/{listing.ProjectId}/publish", new { price = 5000, currency = "EUR", category = "templates", packageAssetId = listing.PackageAssetId });
        Assert.Equal(HttpStatusCode.OK, republished.StatusCode);

        var stale = await browser.PostAsync($"/Marketplace/Details/{listing.ProjectId}?handler=Buy", new FormUrlEncodedContent(fields));

        Assert.Equal(HttpStatusCode.Redirect, stale.StatusCode);
        var again = await browser.GetDocumentAsync(stale.Headers.Location!.OriginalString);
        Assert.Equal("The price is now 50.00 EUR, not the price you confirmed; nothing was charged.", again.QuerySelector(".flash")?.TextContent.Trim());
        Assert.Equal("50.00 EUR", again.QuerySelector("[data-testid=confirm-price]")?.TextContent.Trim());
        Assert.Equal(0, await PurchasesAsync(buyer));
    }

    [Fact]
    public async Task A_forged_confirmation_is_refused_and_the_seller_or_an_owner_is_not_offered_one()
    {
        var listing = await portal.PublishedAsync(price: 700);
        var buyer = await portal.CreateUserAsync("forger");
        var browser = await portal.CreateSignedInBrowserAsync(buyer);
        var url = $"/Marketplace/Details/{listing.ProjectId}";

        var forged = await browser.PostAsync(url + "?handler=Buy", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["ConfirmedPrice"] = "700", ["ConfirmedCurrency"] = "EUR", ["__RequestVerificationToken"] = "forged",
        }));
        var seller = await portal.CreateSignedInBrowserAsync(listing.Seller);
        var own = await seller.GetAsync(url + "?handler=Confirm");

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal("Bad request", (await Forms.ParseAsync(forged)).QuerySelector("h1")?.TextContent.Trim());
        Assert.Equal(0, await PurchasesAsync(buyer));
        Assert.Equal(HttpStatusCode.Redirect, own.StatusCode);
        Assert.Equal("You cannot buy your own project.", await FlashAfterAsync(seller, own));
        Forms.AssertRedirectsToSignIn(await portal.CreateBrowser().GetAsync(url + "?handler=Confirm"));
    }
}
