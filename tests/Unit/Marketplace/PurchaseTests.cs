using System.Net;
using System.Net.Http.Json;
using Catalyst.Data.Marketplace;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Marketplace;

public class PurchaseTests(PortalFactory portal)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<(List<Purchase> Purchases, List<RevenueEvent> Events)> LedgerAsync(Guid projectId) =>
        portal.WithDbAsync(async db => (
            await db.Set<Purchase>().AsNoTracking().Where(p => p.ProjectId == projectId).OrderBy(p => p.CreatedAt).ToListAsync(Ct),
            await db.Set<RevenueEvent>().AsNoTracking().Where(e => e.ProjectId == projectId).OrderBy(e => e.At).ThenBy(e => e.Type).ToListAsync(Ct)));

    [Fact]
    public async Task A_purchase_through_the_manual_provider_completes_at_once_and_writes_one_revenue_event()
    {
        var listing = await portal.PublishedAsync(price: 1999, currency: "USD");
        var buyer = await portal.CreateUserAsync("buyer");
        var api = portal.CreateApiClient(buyer.Token);

        var response = await api.PurchaseAsync(listing.ProjectId);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var data = (await response.ReadJsonAsync()).GetProperty("data");
        var id = data.GetProperty("id").GetGuid();
        Assert.Equal($"/api/marketplace/purchases/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("completed", data.GetProperty("status").GetString());
        Assert.Equal(1999, data.GetProperty("amount").GetInt64());
        Assert.Equal("USD", data.GetProperty("currency").GetString());
        Assert.Equal("19.99 USD", data.GetProperty("amountText").GetString());
        Assert.Equal("Manual", data.GetProperty("paymentProvider").GetString());
        var (purchases, events) = await LedgerAsync(listing.ProjectId);
        var purchase = Assert.Single(purchases);
        var revenue = Assert.Single(events);
        Assert.Equal((RevenueEventType.Purchase, 1999L, "USD", id, buyer.Id, listing.Seller.Id), (revenue.Type, revenue.Amount, revenue.Currency, revenue.PurchaseId!.Value, revenue.UserId!.Value, revenue.SellerId!.Value));
        Assert.Equal(purchase.CreatedAt, revenue.At);

        var mine = await (await api.GetAsync("/api/marketplace/purchases")).ReadJsonAsync();
        Assert.Equal([id], mine.Ids());
        Assert.Equal(listing.Name, mine.GetProperty("data")[0].GetProperty("projectName").GetString());
    }

    [Fact]
    public async Task The_same_Idempotency_Key_twice_is_one_purchase_even_when_sent_concurrently()
    {
        var listing = await portal.PublishedAsync();
        var api = portal.CreateApiClient((await portal.CreateUserAsync("buyer")).Token);
        var key = $"order-{Guid.NewGuid():N}";

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => api.PurchaseAsync(listing.ProjectId, key)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var ids = await Task.WhenAll(responses.Select(async r => (await r.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid()));
        Assert.Single(ids.Distinct());
        Assert.Equal(7, responses.Count(r => r.Headers.TryGetValues("Idempotent-Replayed", out var v) && v.Single() == "true"));
        var again = await api.PurchaseAsync(listing.ProjectId, key);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(ids[0], (await again.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid());
        var (purchases, events) = await LedgerAsync(listing.ProjectId);
        Assert.Single(purchases);
        Assert.Single(events);
    }

    [Fact]
    public async Task Buying_twice_with_other_keys_or_none_is_refused_with_409_and_writes_nothing_more()
    {
        var listing = await portal.PublishedAsync();
        var api = portal.CreateApiClient((await portal.CreateUserAsync("buyer")).Token);
        await api.PurchaseOkAsync(listing.ProjectId, "first");

        await (await api.PurchaseAsync(listing.ProjectId, "second")).AssertProblemAsync(HttpStatusCode.Conflict, "already_purchased");
        await (await api.PurchaseAsync(listing.ProjectId)).AssertProblemAsync(HttpStatusCode.Conflict, "already_purchased");
        // The first key cannot buy another project either.
        var other = await portal.PublishedAsync();
        await (await api.PurchaseAsync(other.ProjectId, "first")).AssertProblemAsync(HttpStatusCode.Conflict, "idempotency_key_reused");

        var (purchases, events) = await LedgerAsync(listing.ProjectId);
        Assert.Single(purchases);
        Assert.Single(events);
        Assert.Empty((await LedgerAsync(other.ProjectId)).Purchases);
    }

    [Fact]
    public async Task Concurrent_purchases_without_a_key_leave_exactly_one_purchase()
    {
        var listing = await portal.PublishedAsync();
        var api = portal.CreateApiClient((await portal.CreateUserAsync("buyer")).Token);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => api.PurchaseAsync(listing.ProjectId)));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
            await refused.AssertProblemAsync(HttpStatusCode.Conflict, "already_purchased");
        var (purchases, events) = await LedgerAsync(listing.ProjectId);
        Assert.Single(purchases);
        Assert.Single(events);
    }

    [Fact]
    public async Task Sellers_cannot_buy_their_own_project()
    {
        var listing = await portal.PublishedAsync();

        await (await listing.SellerApi.PurchaseAsync(listing.ProjectId)).AssertProblemAsync(HttpStatusCode.Conflict, "own_project");

        Assert.Empty((await LedgerAsync(listing.ProjectId)).Purchases);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("quote\"and\\slash\u007f")]
    [InlineData(null)]
    public async Task A_malformed_Idempotency_Key_is_a_400(string? key)
    {
        key ??= new string('k', MarketplaceRules.MaxIdempotencyKeyLength + 1);
        var listing = await portal.PublishedAsync(withPackage: false);
        var api = portal.CreateApiClient((await portal.CreateUserAsync("buyer")).Token);

        var response = await api.PurchaseAsync(listing.ProjectId, key);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Empty((await LedgerAsync(listing.ProjectId)).Purchases);
    }

    [Fact]
    public async Task An_admin_refund_records_a_refund_event_revokes_downloads_and_lets_the_buyer_buy_again()
    {
        var listing = await portal.PublishedAsync(price: 4200, currency: "GBP");
        var buyer = await portal.CreateUserAsync("buyer");
        var api = portal.CreateApiClient(buyer.Token);
        var purchaseId = (await api.PurchaseOkAsync(listing.ProjectId)).GetProperty("id").GetGuid();
        var outstanding = await api.DownloadUrlAsync(listing.ProjectId);
        var admin = portal.CreateApiClient((await portal.AdminAsync()).Token);

        // Only admins refund: the buyer and the seller get 403.
        await (await api.PostAsync($"/api/marketplace/purchases/{purchaseId}/refund", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await listing.SellerApi.PostAsync($"/api/marketplace/purchases/{purchaseId}/refund", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        var refunded = await admin.PostAsJsonAsync($"/api/marketplace/purchases/{purchaseId}/refund", new { reason = "Asked nicely" }, Ct);

        Assert.Equal(HttpStatusCode.OK, refunded.StatusCode);
        Assert.Equal("refunded", (await refunded.ReadJsonAsync()).GetProperty("data").GetProperty("status").GetString());
        var (purchases, events) = await LedgerAsync(listing.ProjectId);
        Assert.Equal(PurchaseStatus.Refunded, Assert.Single(purchases).Status);
        Assert.Equal([(RevenueEventType.Purchase, 4200L), (RevenueEventType.Refund, 4200L)], events.Select(e => (e.Type, e.Amount)));
        Assert.Contains("Asked nicely", events[1].Metadata, StringComparison.Ordinal);
        Assert.True(await portal.WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Action == "marketplace.refund" && a.EntityId == purchaseId.ToString(), Ct)));

        // The download right is gone: a new token is refused and the outstanding one no longer works.
        await (await api.PostAsync($"/api/marketplace/projects/{listing.ProjectId}/download-token", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await portal.CreateApiClient().GetAsync(outstanding)).AssertProblemAsync(HttpStatusCode.Gone, "token_revoked");
        Assert.False((await api.ListingAsync(listing.ProjectId)).GetProperty("viewer").GetProperty("canDownload").GetBoolean());
        // A second refund is a 409; the buyer may buy again.
        await (await admin.PostAsync($"/api/marketplace/purchases/{purchaseId}/refund", null)).AssertProblemAsync(HttpStatusCode.Conflict, "already_refunded");
        await api.PurchaseOkAsync(listing.ProjectId);
        Assert.Equal(3, (await LedgerAsync(listing.ProjectId)).Events.Count);
    }

    [Fact]
    public async Task Concurrent_refunds_of_one_purchase_refund_it_once()
    {
        var listing = await portal.PublishedAsync();
        var api = portal.CreateApiClient((await portal.CreateUserAsync("buyer")).Token);
        var purchaseId = (await api.PurchaseOkAsync(listing.ProjectId)).GetProperty("id").GetGuid();
        var admin = portal.CreateApiClient((await portal.AdminAsync()).Token);

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => admin.PostAsync($"/api/marketplace/purchases/{purchaseId}/refund", null)));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Single((await LedgerAsync(listing.ProjectId)).Events, e => e.Type == RevenueEventType.Refund);
    }

    /// <summary>
    /// Makes the ledger refuse this project's events, and only this project's (other tests share
    /// the database), until disposed: a write that needs an event must then fail as a whole.
    /// </summary>
    private async Task<IAsyncDisposable> RefuseLedgerAsync(Guid projectId)
    {
        var trigger = "refuse_" + projectId.ToString("N");
        var create = "CREATE TRIGGER " + trigger + " BEFORE INSERT ON RevenueEvents WHEN upper(NEW.ProjectId) = upper('" + projectId +
                     "') BEGIN SELECT RAISE(ABORT, 'ledger refused'); END;";
        await portal.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(create, Ct));
        var drop = "DROP TRIGGER " + trigger + ";";
        return new Cleanup(() => portal.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(drop, CancellationToken.None)));
    }

    private sealed class Cleanup(Func<Task> action) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await action();
    }

    [Fact]
    public async Task A_purchase_whose_revenue_event_cannot_be_written_leaves_no_purchase_behind()
    {
        var listing = await portal.PublishedAsync();
        var api = portal.CreateApiClient((await portal.CreateUserAsync("buyer")).Token);
        await using (await RefuseLedgerAsync(listing.ProjectId))
        {
            var response = await api.PurchaseAsync(listing.ProjectId);

            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.Empty((await LedgerAsync(listing.ProjectId)).Purchases);
        }
        // With the ledger back, the purchase goes through.
        await api.PurchaseOkAsync(listing.ProjectId);
    }

    [Fact]
    public async Task A_refund_whose_revenue_event_cannot_be_written_leaves_the_purchase_completed()
    {
        var listing = await portal.PublishedAsync();
        var api = portal.CreateApiClient((await portal.CreateUserAsync("buyer")).Token);
        var purchaseId = (await api.PurchaseOkAsync(listing.ProjectId)).GetProperty("id").GetGuid();
        await using (await RefuseLedgerAsync(listing.ProjectId))
        {
            var admin = portal.CreateApiClient((await portal.AdminAsync()).Token);
            Assert.Equal(HttpStatusCode.InternalServerError, (await admin.PostAsync($"/api/marketplace/purchases/{purchaseId}/refund", null)).StatusCode);
        }
        Assert.Equal(PurchaseStatus.Completed, Assert.Single((await LedgerAsync(listing.ProjectId)).Purchases).Status);
    }

    [Fact]
    public async Task Purchases_are_private_to_the_buyer_and_only_admins_list_everyone_s()
    {
        var listing = await portal.PublishedAsync();
        var buyer = portal.CreateApiClient((await portal.CreateUserAsync("buyer")).Token);
        var purchaseId = (await buyer.PurchaseOkAsync(listing.ProjectId)).GetProperty("id").GetGuid();
        var stranger = portal.CreateApiClient((await portal.CreateUserAsync("stranger")).Token);
        var admin = portal.CreateApiClient((await portal.AdminAsync()).Token);

        await (await stranger.GetAsync($"/api/marketplace/purchases/{purchaseId}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await listing.SellerApi.GetAsync($"/api/marketplace/purchases/{purchaseId}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Empty((await (await stranger.GetAsync("/api/marketplace/purchases")).ReadJsonAsync()).Ids());
        await (await stranger.GetAsync("/api/marketplace/purchases?all=true")).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/marketplace/purchases/{purchaseId}")).StatusCode);
        var all = await (await admin.GetAsync($"/api/marketplace/purchases?all=true&projectId={listing.ProjectId}&status=completed")).ReadJsonAsync();
        Assert.Equal([purchaseId], all.Ids());
        await (await admin.GetAsync("/api/marketplace/purchases?status=lost")).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task A_free_project_can_be_claimed_for_zero_and_counts_as_a_purchase()
    {
        var listing = await portal.PublishedAsync(price: 0);
        var api = portal.CreateApiClient((await portal.CreateUserAsync("buyer")).Token);

        var purchase = await api.PurchaseOkAsync(listing.ProjectId);

        Assert.Equal(0, purchase.GetProperty("amount").GetInt64());
        Assert.Equal("0.00 EUR", purchase.GetProperty("amountText").GetString());
        Assert.Single((await LedgerAsync(listing.ProjectId)).Events);
    }

    /// <summary>The purchase and its ledger row share one transaction (checked on the DbContext, not only through HTTP).</summary>
    [Fact]
    public async Task The_ledger_holds_one_event_per_purchase_and_refund_in_minor_units()
    {
        var listing = await portal.PublishedAsync(price: MarketplaceRules.MaxPrice, currency: "KWD");
        var buyers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => portal.CreateUserAsync("buyer")));
        foreach (var buyer in buyers)
            await portal.CreateApiClient(buyer.Token).PurchaseOkAsync(listing.ProjectId);

        var (purchases, events) = await LedgerAsync(listing.ProjectId);

        Assert.Equal(3, purchases.Count);
        Assert.Equal(purchases.Select(p => p.Id).Order(), events.Select(e => e.PurchaseId!.Value).Order());
        Assert.Equal(3 * MarketplaceRules.MaxPrice, events.Sum(e => e.Amount));
        Assert.Equal("100,000,000.000 KWD", Currencies.Format(MarketplaceRules.MaxPrice, "KWD"));
    }
}
