using System.Net;
using System.Text.Json;
using Catalyst.Data.Marketplace;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Marketplace;

/// <summary>The marketplace pages over the same services as the API: browse partials, publish form, buy, download, review, refund, stats.</summary>
public class MarketplacePageTests(PortalFactory portal)
{
    private static string Word() => "w" + Guid.NewGuid().ToString("N")[..10];

    private static async Task<HttpResponseMessage> HtmxGetAsync(HttpClient browser, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("HX-Request", "true");
        return await browser.SendAsync(request);
    }

    /// <summary>The confirmation step's form: its fields and the antiforgery token, ready to post (twice, for a double submit).</summary>
    private static async Task<Dictionary<string, string>> ConfirmFormAsync(HttpClient browser, Guid projectId)
    {
        var page = await browser.GetDocumentAsync($"/Marketplace/Details/{projectId}?handler=Confirm");
        var form = page.QuerySelector("[data-testid=confirm-purchase] form") ?? throw new InvalidOperationException("No confirmation step.");
        var fields = form.QuerySelectorAll("input[type=hidden]").ToDictionary(i => i.GetAttribute("name")!, i => i.GetAttribute("value") ?? "");
        fields["__RequestVerificationToken"] = page.AntiforgeryToken();
        return fields;
    }

    private static Task<HttpResponseMessage> PostBuyAsync(HttpClient browser, Guid projectId, Dictionary<string, string> form) =>
        browser.PostAsync($"/Marketplace/Details/{projectId}?handler=Buy", new FormUrlEncodedContent(form));

    /// <summary>Opens the confirmation step and confirms it, as a buyer does.</summary>
    private static async Task<HttpResponseMessage> BuyAsync(HttpClient browser, Guid projectId) =>
        await PostBuyAsync(browser, projectId, await ConfirmFormAsync(browser, projectId));

    [Fact]
    public async Task Browse_filters_answer_the_cards_partial_to_htmx_and_the_whole_page_otherwise()
    {
        var word = Word();
        var cheap = await portal.PublishedAsync(price: 500, category: "templates", name: $"Cheap {word}");
        var dear = await portal.PublishedAsync(price: 9900, category: "themes", name: $"Dear {word}");
        var browser = portal.CreateBrowser(); // anonymous visitors may browse

        var partial = await HtmxGetAsync(browser, $"/Marketplace?q={word}&price=under-10");
        var full = await browser.GetDocumentAsync($"/Marketplace?q={word}&category=themes");

        Assert.Equal(HttpStatusCode.OK, partial.StatusCode);
        var fragment = await partial.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<html", fragment, StringComparison.OrdinalIgnoreCase);
        var cards = (await Forms.ParseAsync(partial)).QuerySelectorAll("[data-testid=card]").Select(c => c.GetAttribute("data-project-id")).ToList();
        Assert.Equal([cheap.ProjectId.ToString()], cards);
        Assert.Equal("Marketplace · Catalyst", full.Title);
        Assert.Equal([dear.ProjectId.ToString()], full.QuerySelectorAll("#market-cards [data-testid=card]").Select(c => c.GetAttribute("data-project-id")));
        Assert.Equal("99.00 EUR", full.QuerySelector("[data-testid=card-price]")?.TextContent.Trim());
        Assert.Equal("themes", full.QuerySelector("#market-category option[selected]")?.GetAttribute("value"));
    }

    [Fact]
    public async Task A_filter_without_matches_says_so_and_an_unknown_category_is_explained_not_a_500()
    {
        var browser = portal.CreateBrowser();

        var none = await browser.GetDocumentAsync($"/Marketplace?q={Word()}");
        var unknown = await browser.GetDocumentAsync("/Marketplace?category=%3Cscript%3E");

        Assert.Contains("No published project matches these filters.", none.QuerySelector("[data-testid=market-empty]")?.TextContent, StringComparison.Ordinal);
        Assert.NotNull(unknown.QuerySelector("[data-testid=filter-error]"));
        Assert.NotNull(unknown.QuerySelector("[data-testid=market-empty]"));
    }

    [Theory]
    [InlineData("12.345", "EUR", "templates", "Input.Price")]
    [InlineData("abc", "EUR", "templates", "Input.Price")]
    [InlineData("", "EUR", "templates", "Input.Price")]
    [InlineData("12", "EUR", "", "Input.Category")]
    [InlineData("12", "XYZ", "templates", "Input.Currency")]
    public async Task Publishing_with_a_bad_field_shows_the_message_next_to_it_and_lists_nothing(string price, string currency, string category, string field)
    {
        var seller = await portal.CreateUserAsync("seller");
        var projectId = await portal.CreateApiClient(seller.Token).CreateProjectAsync($"Unlisted {Word()}");
        var browser = await portal.CreateSignedInBrowserAsync(seller);
        var form = await browser.GetDocumentAsync($"/Marketplace/Publish/{projectId}");

        var response = await browser.PostFormAsync($"/Marketplace/Publish/{projectId}", new Dictionary<string, string>
        {
            ["Input.Price"] = price,
            ["Input.Currency"] = currency,
            ["Input.Category"] = category,
            ["Version"] = form.QuerySelector("input[name=Version]")!.GetAttribute("value")!,
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await Forms.ParseAsync(response);
        Assert.False(string.IsNullOrEmpty(page.FieldError(field)), $"no message next to {field}");
        Assert.Equal("true", page.QuerySelector($"#{field.Replace('.', '_')}")?.GetAttribute("aria-invalid"));
        Assert.False(await portal.WithDbAsync(db => db.Projects.Where(p => p.Id == projectId).Select(p => p.IsPublished).SingleAsync(TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task Publishing_on_the_page_stores_minor_units_and_the_package_and_unpublishing_hides_it()
    {
        var seller = await portal.CreateUserAsync("seller");
        var word = Word();
        var projectId = await portal.CreateApiClient(seller.Token).CreateProjectAsync($"Listed {word}");
        var assetId = await portal.CreateAssetAsync(seller, "PK listed"u8.ToArray(), projectId: projectId);
        var browser = await portal.CreateSignedInBrowserAsync(seller);
        var form = await browser.GetDocumentAsync($"/Marketplace/Publish/{projectId}");
        Assert.Equal("Marketplace listing of Listed " + word + " · Catalyst", form.Title);

        var response = await browser.PostFormAsync($"/Marketplace/Publish/{projectId}", new Dictionary<string, string>
        {
            ["Input.Price"] = "12.5",
            ["Input.Currency"] = "usd",
            ["Input.Category"] = "templates",
            ["Input.PackageAssetId"] = assetId.ToString(),
            ["Version"] = form.QuerySelector("input[name=Version]")!.GetAttribute("value")!,
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/Marketplace/Details/{projectId}", response.Headers.Location?.OriginalString);
        var project = await portal.WithDbAsync(db => db.Projects.AsNoTracking().SingleAsync(p => p.Id == projectId, TestContext.Current.CancellationToken));
        Assert.True(project.IsPublished);
        Assert.Equal(1250, project.Price);
        Assert.Equal("USD", project.Currency);
        var details = await browser.GetDocumentAsync($"/Marketplace/Details/{projectId}");
        Assert.Equal("12.50 USD", details.QuerySelector("[data-testid=price]")?.TextContent.Trim());
        Assert.Contains("is listed in the marketplace", details.QuerySelector("[role=status]")?.TextContent, StringComparison.Ordinal);

        var unpublished = await browser.PostWithTokenFromAsync($"/Marketplace/Publish/{projectId}", $"/Marketplace/Publish/{projectId}?handler=Unpublish");
        Assert.Equal(HttpStatusCode.Redirect, unpublished.StatusCode);
        var browse = await portal.CreateBrowser().GetDocumentAsync($"/Marketplace?q={word}");
        Assert.Empty(browse.QuerySelectorAll("[data-testid=card]"));
    }

    [Fact]
    public async Task Another_user_cannot_open_the_publish_form_of_a_project_they_do_not_own()
    {
        var listing = await portal.PublishedAsync();
        var other = await portal.CreateSignedInBrowserAsync(await portal.CreateUserAsync("other"));

        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/Marketplace/Publish/{listing.ProjectId}")).StatusCode);
        Forms.AssertRedirectsToSignIn(await portal.CreateBrowser().GetAsync($"/Marketplace/Publish/{listing.ProjectId}"));
    }

    [Fact]
    public async Task A_buyer_buys_once_per_form_downloads_the_package_and_sees_it_in_My_purchases()
    {
        var listing = await portal.PublishedAsync(price: 1250);
        var buyer = await portal.CreateUserAsync("buyer");
        var browser = await portal.CreateSignedInBrowserAsync(buyer);
        var form = await ConfirmFormAsync(browser, listing.ProjectId);

        var first = await PostBuyAsync(browser, listing.ProjectId, form);
        var again = await PostBuyAsync(browser, listing.ProjectId, form); // a double submit of the same form

        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.Equal(1, await portal.WithDbAsync(db => db.Set<Purchase>().CountAsync(p => p.UserId == buyer.Id, TestContext.Current.CancellationToken)));
        var details = await browser.GetDocumentAsync($"/Marketplace/Details/{listing.ProjectId}");
        Assert.NotNull(details.QuerySelector("[data-testid=owned]"));
        Assert.Null(details.QuerySelector("[data-testid=buy]"));

        var download = await browser.PostWithTokenFromAsync($"/Marketplace/Details/{listing.ProjectId}", $"/Marketplace/Details/{listing.ProjectId}?handler=Download");
        Assert.Equal(HttpStatusCode.Redirect, download.StatusCode);
        var url = download.Headers.Location!.OriginalString;
        Assert.StartsWith("/api/marketplace/download/", url, StringComparison.Ordinal);
        var bytes = await portal.CreateBrowser().GetByteArrayAsync(url);
        Assert.Equal(listing.Package, bytes);

        var purchases = await browser.GetDocumentAsync("/Marketplace/Purchases");
        var row = Assert.Single(purchases.QuerySelectorAll("[data-testid=purchase]"));
        Assert.Equal(listing.ProjectId.ToString(), row.GetAttribute("data-project-id"));
        Assert.Contains("12.50 EUR", row.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_user_s_purchases_page_says_there_is_nothing_yet()
    {
        var browser = await portal.CreateSignedInBrowserAsync(await portal.CreateUserAsync("newcomer"));

        var page = await browser.GetDocumentAsync("/Marketplace/Purchases");

        Assert.Equal("My purchases · Catalyst", page.Title);
        Assert.NotNull(page.QuerySelector("[data-testid=purchases-empty]"));
    }

    [Fact]
    public async Task A_review_without_a_rating_shows_the_message_next_to_it_and_a_valid_one_updates_the_rating()
    {
        var listing = await portal.PublishedAsync(price: 300);
        var buyer = await portal.CreateUserAsync("buyer");
        var browser = await portal.CreateSignedInBrowserAsync(buyer);
        var anonymous = await portal.CreateBrowser().GetDocumentAsync($"/Marketplace/Details/{listing.ProjectId}");
        Assert.Null(anonymous.QuerySelector("[data-testid=review-form]"));
        Assert.NotNull(anonymous.QuerySelector("[data-testid=sign-in-to-buy]"));
        Assert.Equal(HttpStatusCode.Redirect, (await BuyAsync(browser, listing.ProjectId)).StatusCode);
        var url = $"/Marketplace/Details/{listing.ProjectId}";

        var missing = await browser.PostFormAsync(url, new Dictionary<string, string> { ["Input.Title"] = "Keep me" }, url + "?handler=Review");
        var written = await browser.PostFormAsync(url, new Dictionary<string, string> { ["Input.Rating"] = "4", ["Input.Title"] = "Solid", ["Input.Body"] = "<b>works</b>" }, url + "?handler=Review");

        Assert.Equal(HttpStatusCode.OK, missing.StatusCode);
        var form = await Forms.ParseAsync(missing);
        Assert.False(string.IsNullOrEmpty(form.FieldError("Input.Rating")));
        Assert.Equal("Keep me", form.QuerySelector("#Input_Title")?.GetAttribute("value"));
        Assert.Equal(HttpStatusCode.Redirect, written.StatusCode);
        var page = await browser.GetDocumentAsync(url);
        Assert.Equal("4.0 ★ (1 review)", page.QuerySelector("[data-testid=rating]")?.TextContent.Trim());
        var review = Assert.Single(page.QuerySelectorAll("[data-testid=review]"));
        Assert.Contains("<b>works</b>", review.TextContent, StringComparison.Ordinal); // encoded, not markup
        Assert.Equal("Update review", page.QuerySelector("[data-testid=submit-review]")?.TextContent.Trim());
    }

    [Fact]
    public async Task Someone_who_has_not_bought_a_paid_project_gets_no_review_form_and_a_posted_review_is_refused()
    {
        var listing = await portal.PublishedAsync(price: 300);
        var browser = await portal.CreateSignedInBrowserAsync(await portal.CreateUserAsync("window-shopper"));
        var url = $"/Marketplace/Details/{listing.ProjectId}";

        var page = await browser.GetDocumentAsync(url);
        var posted = await browser.PostFormAsync(url, new Dictionary<string, string> { ["Input.Rating"] = "1" }, url + "?handler=Review");

        Assert.Null(page.QuerySelector("[data-testid=review-form]"));
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Equal(0, await portal.WithDbAsync(db => db.Set<Review>().CountAsync(r => r.ProjectId == listing.ProjectId, TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task An_admin_refunds_a_sale_on_the_sales_page_and_the_buyer_loses_the_download()
    {
        var listing = await portal.PublishedAsync(price: 700);
        var buyer = await portal.CreateUserAsync("buyer");
        var browser = await portal.CreateSignedInBrowserAsync(buyer);
        Assert.Equal(HttpStatusCode.Redirect, (await BuyAsync(browser, listing.ProjectId)).StatusCode);
        var purchaseId = await portal.WithDbAsync(db => db.Set<Purchase>().Where(p => p.UserId == buyer.Id).Select(p => p.Id).SingleAsync(TestContext.Current.CancellationToken));
        var admin = await portal.CreateSignedInBrowserAsync(await portal.CreateUserAsync("admin", admin: true));
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync("/Marketplace/Sales")).StatusCode);

        var refunded = await admin.PostFormAsync("/Marketplace/Sales", new Dictionary<string, string> { ["reason"] = "asked" }, $"/Marketplace/Sales?handler=Refund&id={purchaseId}");

        Assert.Equal(HttpStatusCode.Redirect, refunded.StatusCode);
        Assert.Equal(PurchaseStatus.Refunded, await portal.WithDbAsync(db => db.Set<Purchase>().Where(p => p.Id == purchaseId).Select(p => p.Status).SingleAsync(TestContext.Current.CancellationToken)));
        var details = await browser.GetDocumentAsync($"/Marketplace/Details/{listing.ProjectId}");
        Assert.Null(details.QuerySelector("[data-testid=download]"));
        Assert.NotNull(details.QuerySelector("[data-testid=buy]"));
        var purchases = await browser.GetDocumentAsync("/Marketplace/Purchases");
        Assert.Null(purchases.QuerySelector("[data-testid=purchase-download]"));
    }

    [Fact]
    public async Task The_stats_page_draws_revenue_in_minor_units_says_the_same_in_its_table_and_is_for_admins_only()
    {
        var listing = await portal.PublishedAsync(price: 4321, currency: "JPY");
        var buyer = await portal.CreateUserAsync("buyer");
        Assert.Equal(HttpStatusCode.Redirect, (await BuyAsync(await portal.CreateSignedInBrowserAsync(buyer), listing.ProjectId)).StatusCode);
        var admin = await portal.CreateSignedInBrowserAsync(await portal.CreateUserAsync("admin", admin: true));
        var user = await portal.CreateSignedInBrowserAsync(buyer);

        var page = await admin.GetDocumentAsync("/Marketplace/Stats?currency=JPY&bucket=month");

        Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync("/Marketplace/Stats")).StatusCode);
        Assert.Equal("Marketplace statistics · Catalyst", page.Title);
        var chart = JsonDocument.Parse(page.QuerySelector("[data-testid=revenue-chart]")!.GetAttribute("data-chart")!).RootElement;
        Assert.Equal("money", chart.GetProperty("unit").GetString());
        Assert.Equal("JPY", chart.GetProperty("currency").GetString());
        Assert.Equal(0, chart.GetProperty("digits").GetInt32());
        var gross = chart.GetProperty("series")[1].GetProperty("values").EnumerateArray().Select(v => v.GetInt64()).ToList();
        Assert.True(gross[^1] >= 4321, $"this month's gross is {gross[^1]}");
        Assert.True(gross.All(v => v >= 0));
        var thisMonth = page.QuerySelector("[data-testid=revenue-table] tbody tr")!.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToList();
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), thisMonth[0]);
        Assert.Equal(Currencies.Format(gross[^1], "JPY"), thisMonth[3]);
        Assert.NotNull(page.QuerySelector("[data-testid=top-chart]"));
        Assert.Contains(page.Scripts, s => s.Source?.Contains("/lib/chart.js/", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Bad_stats_dates_are_shown_next_to_their_field_and_the_page_still_answers()
    {
        var admin = await portal.CreateSignedInBrowserAsync(await portal.CreateUserAsync("admin", admin: true));

        var page = await admin.GetDocumentAsync("/Marketplace/Stats?from=2026-05-01&to=2026-01-01");

        Assert.Equal("from must not be after to.", page.FieldError("from"));
        Assert.Equal("true", page.QuerySelector("#stats-from")?.GetAttribute("aria-invalid"));
        Assert.NotNull(page.QuerySelector("#stats-from")?.ParentElement?.QuerySelector("[data-valmsg-for=from]"));
    }
}
