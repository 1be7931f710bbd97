using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Catalyst.Tests.E2E.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Catalyst.Tests.E2E;

[Collection(PortalCollection.Name)]
public class MarketplaceJourneyTests(PortalSession session)
{
    private const string Password = "E2e-Market-Pass-1!";

    /// <summary>The admin creates an account on the users page.</summary>
    private static async Task CreateUserAsync(IPage admin, string email)
    {
        await admin.GotoAsync("/Admin/Users/Create");
        await admin.GetByLabel("E-mail").FillAsync(email);
        await admin.GetByLabel("Initial password").FillAsync(Password);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Status)).ToContainTextAsync(email);
    }

    [Fact]
    public async Task A_seller_publishes_a_package_a_buyer_finds_buys_downloads_and_reviews_it_and_the_admin_sees_the_sale()
    {
        var word = "e2e" + Guid.NewGuid().ToString("N")[..8];
        var name = $"Starter kit {word}";
        var seller = $"seller-{word}@e2e.local";
        var buyer = $"buyer-{word}@e2e.local";
        var file = Path.Combine(Path.GetTempPath(), $"catalyst-package-{word}.zip");
        var bytes = RandomNumberGenerator.GetBytes(300 * 1024 + 17);
        await File.WriteAllBytesAsync(file, bytes);

        var (adminContext, admin, adminErrors) = await session.NewPageAsync();
        await using var _ = adminContext;
        var (sellerContext, sellerPage, sellerErrors) = await session.NewPageAsync();
        await using var __ = sellerContext;
        var (buyerContext, buyerPage, buyerErrors) = await session.NewPageAsync();
        await using var ___ = buyerContext;
        try
        {
            await session.SignInAsync(admin);
            await CreateUserAsync(admin, seller);
            await CreateUserAsync(admin, buyer);

            // The seller uploads the package, creates the project and lists it for 4.99 EUR.
            await session.SignInAsync(sellerPage, seller, Password);
            await sellerPage.GotoAsync("/Assets");
            await sellerPage.Locator("#upload-file").SetInputFilesAsync(file);
            await sellerPage.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).ClickAsync();
            await Expect(sellerPage.Locator("#upload-status")).ToContainTextAsync("uploaded", new() { Timeout = 60_000 });
            await sellerPage.GotoAsync("/Projects/Create");
            await sellerPage.GetByLabel("Name").FillAsync(name);
            await sellerPage.GetByLabel("Description").FillAsync("Everything to start a shop.");
            await sellerPage.GetByRole(AriaRole.Button, new() { Name = "Create project" }).ClickAsync();
            await sellerPage.GetByRole(AriaRole.Link, new() { Name = name }).ClickAsync();
            await sellerPage.GetByTestId("marketplace-listing").ClickAsync();
            await Expect(sellerPage.GetByTestId("listing-status")).ToHaveTextAsync("Not listed");

            await sellerPage.GetByLabel("Price").FillAsync("4.999");
            await sellerPage.GetByLabel("Currency").SelectOptionAsync("EUR");
            await sellerPage.GetByTestId("publish").ClickAsync();
            await Expect(sellerPage.Locator("[data-valmsg-for='Input.Price']")).Not.ToBeEmptyAsync();
            await Expect(sellerPage.Locator("[data-valmsg-for='Input.Category']")).Not.ToBeEmptyAsync();

            await sellerPage.GetByLabel("Price").FillAsync("4.99");
            await sellerPage.GetByLabel("Category").SelectOptionAsync("templates");
            var package = await sellerPage.Locator("#Input_PackageAssetId option", new() { HasText = Path.GetFileName(file) }).GetAttributeAsync("value");
            await sellerPage.GetByLabel("Package").SelectOptionAsync(package!);
            await sellerPage.GetByTestId("publish").ClickAsync();
            await Expect(sellerPage.GetByRole(AriaRole.Status)).ToContainTextAsync("is listed in the marketplace for 4.99 EUR");
            await Expect(sellerPage.GetByTestId("price")).ToHaveTextAsync("4.99 EUR");

            // The buyer narrows the marketplace with the filters (htmx swaps the cards) and opens the card.
            await session.SignInAsync(buyerPage, buyer, Password);
            await buyerPage.GetByRole(AriaRole.Link, new() { Name = "Marketplace", Exact = true }).First.ClickAsync();
            await Expect(buyerPage.GetByRole(AriaRole.Heading, new() { Name = "Marketplace" })).ToBeVisibleAsync();
            await buyerPage.GetByLabel("Search the marketplace").FillAsync(word);
            await buyerPage.GetByLabel("Price").SelectOptionAsync("10-50");
            await Expect(buyerPage.GetByTestId("market-empty")).ToBeVisibleAsync();
            await buyerPage.GetByLabel("Price").SelectOptionAsync("under-10");
            await buyerPage.GetByLabel("Category").SelectOptionAsync("templates");
            var card = buyerPage.GetByTestId("card").Filter(new() { HasText = name });
            await Expect(card).ToHaveCountAsync(1);
            await Expect(buyerPage.GetByTestId("card")).ToHaveCountAsync(1);
            await Expect(buyerPage).ToHaveURLAsync(new Regex("price=under-10"));
            await Expect(card.GetByTestId("card-price")).ToHaveTextAsync("4.99 EUR");
            await card.GetByRole(AriaRole.Link, new() { Name = name }).ClickAsync();

            await buyerPage.GetByTestId("buy").ClickAsync();
            await Expect(buyerPage.GetByTestId("confirm-price")).ToHaveTextAsync("4.99 EUR");
            await buyerPage.GetByTestId("confirm-buy").ClickAsync();
            await Expect(buyerPage.GetByRole(AriaRole.Status)).ToContainTextAsync("You bought");
            await Expect(buyerPage.GetByTestId("owned")).ToBeVisibleAsync();
            var download = await buyerPage.RunAndWaitForDownloadAsync(() => buyerPage.GetByTestId("download").ClickAsync());
            var saved = Path.Combine(Path.GetTempPath(), $"catalyst-package-download-{word}");
            await download.SaveAsAsync(saved);
            Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await File.ReadAllBytesAsync(saved)));
            File.Delete(saved);

            await buyerPage.GetByRole(AriaRole.Button, new() { Name = "Publish review" }).ClickAsync();
            await Expect(buyerPage.Locator("[data-valmsg-for='Input.Rating']")).Not.ToBeEmptyAsync();
            await buyerPage.GetByLabel("Rating").SelectOptionAsync("5");
            await buyerPage.GetByLabel("Title").FillAsync("Saved me a week");
            await buyerPage.Locator("#Input_Body").FillAsync("Clean and complete.");
            await buyerPage.GetByRole(AriaRole.Button, new() { Name = "Publish review" }).ClickAsync();
            await Expect(buyerPage.GetByRole(AriaRole.Status)).ToContainTextAsync("your review is published");
            await Expect(buyerPage.GetByTestId("review")).ToContainTextAsync("Saved me a week");

            await buyerPage.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "catalyst-marketplace-details.png"), FullPage = true });
            await buyerPage.GotoAsync($"/Marketplace?q={word}");
            await Expect(buyerPage.GetByTestId("card").Filter(new() { HasText = name }).GetByTestId("card-rating")).ToHaveTextAsync("5.0 ★ (1 review)");
            await buyerPage.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "catalyst-marketplace-cards.png"), FullPage = true });
            await Expect(buyerPage.GetByTestId("card").Filter(new() { HasText = name }).GetByTestId("card-downloads")).ToHaveTextAsync("1 download");
            await buyerPage.GotoAsync("/Marketplace/Purchases");
            await Expect(buyerPage.GetByTestId("purchase").Filter(new() { HasText = name })).ToContainTextAsync("4.99 EUR");
            await buyerPage.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "catalyst-marketplace.png"), FullPage = true });

            // The admin sees the sale on the revenue chart (the drawn Chart.js data) and in the table beneath it.
            await admin.GotoAsync("/Marketplace/Stats?currency=EUR");
            var chart = admin.GetByTestId("revenue-chart");
            await Expect(chart).ToBeVisibleAsync();
            var gross = await admin.WaitForFunctionAsync(
                "() => { const c = window.Chart && Chart.getChart(document.getElementById('revenue-chart')); return c && c.data.datasets[1].data.reduce((a, b) => a + b, 0); }");
            Assert.True(await gross.JsonValueAsync<long>() >= 499);
            await Expect(admin.GetByTestId("revenue-table")).ToContainTextAsync("4.99 EUR");
            await Expect(admin.GetByTestId("top-table")).ToContainTextAsync(name);
            await admin.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "catalyst-marketplace-stats.png"), FullPage = true });

            // The admin refunds the sale on the sales page (after the confirmation); the buyer can no longer download.
            await admin.GetByRole(AriaRole.Link, new() { Name = "All sales and refunds →" }).ClickAsync();
            var sale = admin.GetByTestId("sale").Filter(new() { HasText = name });
            await Expect(sale).ToContainTextAsync("Completed");
            admin.Dialog += (_, dialog) => dialog.AcceptAsync();
            await sale.GetByLabel("Reason for the refund").FillAsync("E2E refund");
            await sale.GetByTestId("refund").ClickAsync();
            await Expect(admin.GetByRole(AriaRole.Status)).ToContainTextAsync("Refunded 4.99 EUR");
            await Expect(admin.GetByTestId("sale").Filter(new() { HasText = name })).ToContainTextAsync("Refunded");
            await buyerPage.GotoAsync("/Marketplace/Purchases");
            var purchase = buyerPage.GetByTestId("purchase").Filter(new() { HasText = name });
            await Expect(purchase).ToContainTextAsync("Refunded");
            await Expect(purchase.GetByTestId("purchase-download")).ToHaveCountAsync(0);
            await admin.GotoAsync("/Marketplace/Stats?currency=EUR");
            await Expect(admin.GetByTestId("revenue-table")).ToContainTextAsync("0.00 EUR"); // net after the refund

            Assert.Empty(adminErrors);
            Assert.Empty(sellerErrors);
            Assert.Empty(buyerErrors);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
