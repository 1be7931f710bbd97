using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Catalyst.Data.Assets;
using Catalyst.Data.Storage;
using Catalyst.Data.Websites;
using Catalyst.Tests.Unit.Backups;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Tests.Unit.Uploads;
using Catalyst.Tests.Unit.Websites;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Hardening;

/// <summary>
/// SPEC §3 and §16, ownership through references: ids carried inside data (a backup's website, type
/// and item ids, an upload's target) and rows left by deleted parents must never reach another user's
/// rows. Each test plays an attacker with an ordinary account against a victim with another.
/// </summary>
public class ReferenceIsolationTests(PortalFactory portal)
{
    private sealed record Account(TestUser User, HttpClient Api);

    private async Task<Account> AccountAsync(string name)
    {
        var user = await portal.CreateUserAsync(name);
        return new Account(user, portal.CreateApiClient(user.Token));
    }

    private static async Task<(Guid Id, string Slug)> CreateWebsiteAsync(Account account, string name)
    {
        var response = await account.Api.PostAsJsonAsync("/api/websites", new { name, slug = $"{name}-{Guid.NewGuid():N}" });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var data = (await response.ReadJsonAsync()).GetProperty("data");
        return (data.GetProperty("id").GetGuid(), data.GetProperty("slug").GetString()!);
    }

    private static async Task<Guid> UploadAssetAsync(Account account, byte[] bytes, Guid? websiteId = null, Guid? projectId = null)
    {
        var metadata = new List<(string, string?)> { ("filename", "private.bin") };
        if (websiteId is { } w) metadata.Add(("websiteId", w.ToString()));
        if (projectId is { } p) metadata.Add(("projectId", p.ToString()));
        var location = await new TusClient(account.Api).UploadAsync(bytes, 1 << 20, TusClient.Metadata([.. metadata]));
        return Guid.Parse(location.Split('/')[^1]);
    }

    private Task<long> UsedAsync(TestUser user) =>
        portal.WithScopeAsync(sp => sp.GetRequiredService<StorageQuota>().UsedAsync(user.Id, CancellationToken.None));

    private Task<int> DanglingAssetsAsync() => portal.WithDbAsync(db => db.Set<Asset>().CountAsync(a =>
        (a.WebsiteId != null && !db.Set<Website>().Any(w => w.Id == a.WebsiteId)) ||
        (a.ProjectId != null && !db.Set<Data.Projects.Project>().Any(p => p.Id == a.ProjectId))));

    /// <summary>
    /// A backup of <paramref name="api"/>'s website with ids and slugs swapped as an attacker would craft it
    /// (as text, so the sections keep the bytes their checksums cover).
    /// </summary>
    private static async Task<byte[]> CraftBackupAsync(HttpClient api, Guid websiteId, params (string From, string To)[] swaps)
    {
        var text = Encoding.UTF8.GetString(await api.GetByteArrayAsync($"/api/websites/{websiteId}/export"));
        foreach (var (from, to) in swaps)
        {
            Assert.Contains(from, text, StringComparison.Ordinal);
            text = text.Replace(from, to, StringComparison.Ordinal);
        }
        return Encoding.UTF8.GetBytes(text);
    }

    [Fact]
    public async Task Deleting_a_website_deletes_its_assets_and_gives_their_bytes_back_on_every_delete_path()
    {
        var victim = await AccountAsync("deleter");
        var browser = await portal.CreateSignedInBrowserAsync(victim.User);
        foreach (var path in new[] { "api", "portal", "import overwrite" })
        {
            var (site, _) = await CreateWebsiteAsync(victim, "doomed");
            // Overwriting with a backup taken before the asset existed replaces the website and its assets.
            var before = await victim.Api.GetByteArrayAsync($"/api/websites/{site}/export");
            var asset = await UploadAssetAsync(victim, RandomNumberGenerator.GetBytes(5000), websiteId: site);
            Assert.Equal(5000, await UsedAsync(victim.User));
            switch (path)
            {
                case "api":
                    Assert.Equal(HttpStatusCode.NoContent, (await victim.Api.DeleteAsync($"/api/websites/{site}")).StatusCode);
                    break;
                case "portal":
                    var version = await portal.WithDbAsync(db => db.Set<Website>().Where(w => w.Id == site).Select(w => w.Version).SingleAsync());
                    var posted = await browser.PostFormAsync($"/Websites/Delete/{site}", new Dictionary<string, string> { ["version"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                    Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
                    break;
                default:
                    var job = await BackupTests.ImportAsync(victim.Api, before, "overwrite");
                    Assert.Equal("overwritten", job.GetProperty("result").GetProperty("status").GetString());
                    break;
            }
            Assert.Equal(HttpStatusCode.NotFound, (await victim.Api.GetAsync($"/api/assets/{asset}")).StatusCode);
            Assert.Equal(0, await UsedAsync(victim.User));
            Assert.Equal(0, await portal.WithDbAsync(db => db.Set<BlobReference>().CountAsync(r => r.OwnerType == BlobOwnerTypes.Asset && r.OwnerId == asset.ToString())));
        }
        Assert.Equal(0, await DanglingAssetsAsync());
    }

    [Fact]
    public async Task A_backup_naming_another_users_website_never_touches_it_and_reveals_nothing_of_it()
    {
        var victim = await AccountAsync("victim");
        var attacker = await AccountAsync("attacker");
        var (target, targetSlug) = await CreateWebsiteAsync(victim, "target");
        Assert.Equal(HttpStatusCode.OK, (await victim.Api.PutDataAsync(target, """{"content": {"secret": "victim's"}}""", "\"0\"")).StatusCode);
        var victimAsset = await UploadAssetAsync(victim, RandomNumberGenerator.GetBytes(3000), websiteId: target);
        var (own, ownSlug) = await CreateWebsiteAsync(attacker, "bait");
        Assert.Equal(HttpStatusCode.OK, (await attacker.Api.PutDataAsync(own, """{"content": {"secret": "attacker's"}}""", "\"0\"")).StatusCode);

        // The victim's id under the attacker's own slug: imported, but never with that id.
        foreach (var policy in new[] { "skip", "overwrite", "copy" })
        {
            var sameId = await CraftBackupAsync(attacker.Api, own, (own.ToString(), target.ToString()), (ownSlug, $"fresh-{Guid.NewGuid():N}"));
            var plan = await BackupTests.ImportAsync(attacker.Api, sameId, policy, dryRun: true);
            Assert.DoesNotContain(target.ToString(), plan.GetProperty("result").GetRawText(), StringComparison.OrdinalIgnoreCase);
            var job = await BackupTests.ImportAsync(attacker.Api, sameId, policy);
            Assert.True(job.GetProperty("status").GetString() == "succeeded", job.GetRawText());
            var result = job.GetProperty("result");
            Assert.NotEqual(target, result.GetProperty("websiteId").GetGuid());
            Assert.DoesNotContain(target.ToString(), result.GetRawText(), StringComparison.OrdinalIgnoreCase);
        }

        // The victim's slug: only "taken", whatever the policy; overwrite fails, copy takes a free slug.
        var sameSlug = await CraftBackupAsync(attacker.Api, own, (own.ToString(), Guid.NewGuid().ToString()), (ownSlug, targetSlug));
        foreach (var policy in new[] { "skip", "overwrite", "copy" })
        {
            var plan = await BackupTests.ImportAsync(attacker.Api, sameSlug, policy, dryRun: true);
            var job = await BackupTests.ImportAsync(attacker.Api, sameSlug, policy);
            foreach (var text in new[] { plan.GetRawText(), job.GetRawText() })
            {
                Assert.DoesNotContain(target.ToString(), text, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(victim.User.Email, text, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(victim.User.Id.ToString(), text, StringComparison.OrdinalIgnoreCase);
            }
            Assert.Contains("taken", plan.GetProperty("result").GetProperty("notes")[0].GetString(), StringComparison.Ordinal);
            Assert.Equal(policy switch { "skip" => "succeeded", "overwrite" => "failed", _ => "succeeded" }, job.GetProperty("status").GetString());
            if (policy == "skip")
                Assert.Equal(JsonValueKind.Null, job.GetProperty("result").GetProperty("websiteId").ValueKind);
            if (policy == "copy")
                Assert.NotEqual(targetSlug, job.GetProperty("result").GetProperty("slug").GetString());
        }

        // The victim's website is exactly as it was.
        Assert.Equal("victim's", (await victim.Api.GetDataAsync(target)).GetProperty("content").GetProperty("secret").GetString());
        Assert.Equal(HttpStatusCode.OK, (await victim.Api.GetAsync($"/api/assets/{victimAsset}")).StatusCode);
        var site = (await (await victim.Api.GetAsync($"/api/websites/{target}")).ReadJsonAsync()).GetProperty("data");
        Assert.Equal(targetSlug, site.GetProperty("slug").GetString());
        Assert.Equal(1, site.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Content_type_and_item_ids_of_another_users_website_are_never_adopted()
    {
        var victim = await AccountAsync("typed-victim");
        var attacker = await AccountAsync("typed-attacker");
        var full = await portal.CreateFullWebsiteAsync(victim.User);
        var (own, _) = await CreateWebsiteAsync(attacker, "typed");
        var type = (await (await attacker.Api.PostAsJsonAsync($"/api/websites/{own}/content-types", new
        {
            name = "Page",
            fields = new object[] { new { name = "title", type = "text" }, new { name = "next", type = "reference" } },
        })).ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        var first = (await (await attacker.Api.PostAsJsonAsync($"/api/websites/{own}/content-items", new { contentTypeId = type, data = new { title = "first" } })).ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        await attacker.Api.PostAsJsonAsync($"/api/websites/{own}/content-items", new { contentTypeId = type, data = new { title = "second", next = first } });

        // The backup claims the victim's type and item ids (its own reference to the item follows along).
        var crafted = await CraftBackupAsync(attacker.Api, own, (own.ToString(), Guid.NewGuid().ToString()), (type.ToString(), full.Type.Id.ToString()), (first.ToString(), full.Item.Id.ToString()));
        var job = await BackupTests.ImportAsync(attacker.Api, crafted, "overwrite");
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        var imported = job.GetProperty("result").GetProperty("websiteId").GetGuid();

        var types = (await (await attacker.Api.GetAsync($"/api/websites/{imported}/content-types")).ReadJsonAsync()).GetProperty("data");
        Assert.NotEqual(full.Type.Id, types[0].GetProperty("id").GetGuid());
        var items = (await (await attacker.Api.GetAsync($"/api/websites/{imported}/content-items")).ReadJsonAsync()).GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        Assert.DoesNotContain(items, i => i.GetProperty("id").GetGuid() == full.Item.Id);
        // The reference inside the data follows the item to its new id.
        var second = items.Single(i => i.GetProperty("data").GetProperty("title").GetString() == "second");
        var firstNow = items.Single(i => i.GetProperty("data").GetProperty("title").GetString() == "first");
        Assert.Equal(firstNow.GetProperty("id").GetGuid(), second.GetProperty("data").GetProperty("next").GetGuid());

        // The victim's rows are untouched.
        var victimItem = (await (await victim.Api.GetAsync($"/api/websites/{full.Website.Id}/content-items/{full.Item.Id}")).ReadJsonAsync()).GetProperty("data");
        Assert.Equal("Hello world", victimItem.GetProperty("data").GetProperty("title").GetString());
    }

    [Fact]
    public async Task Rows_left_naming_a_website_never_reach_its_owner_through_lists_exports_or_overwrites()
    {
        var victim = await AccountAsync("left-victim");
        var attacker = await AccountAsync("left-attacker");
        var (site, _) = await CreateWebsiteAsync(attacker, "lure");
        var secret = RandomNumberGenerator.GetBytes(4096);
        var victimAsset = await UploadAssetAsync(victim, secret);
        // Whatever left it there (an old bug, a restored database), the victim's asset names the attacker's website.
        await portal.WithDbAsync(db => db.Set<Asset>().Where(a => a.Id == victimAsset).ExecuteUpdateAsync(s => s.SetProperty(a => a.WebsiteId, site)));

        var listed = await (await attacker.Api.GetAsync($"/api/assets?websiteId={site}")).ReadJsonAsync();
        Assert.Equal(0, listed.GetProperty("meta").GetProperty("total").GetInt32());
        var admin = portal.CreateApiClient((await portal.AdminAsync()).Token);
        var adminListed = await (await admin.GetAsync($"/api/assets?websiteId={site}")).ReadJsonAsync();
        Assert.Equal(0, adminListed.GetProperty("meta").GetProperty("total").GetInt32());

        var export = await attacker.Api.GetByteArrayAsync($"/api/websites/{site}/export");
        var backup = System.Text.Json.Nodes.JsonNode.Parse(export)!;
        Assert.Empty(backup["assets"]!.AsArray());
        Assert.DoesNotContain(victimAsset.ToString(), Encoding.UTF8.GetString(export), StringComparison.OrdinalIgnoreCase);

        // Overwriting (or deleting) the website takes the attacker's rows only: the victim's file stays, detached.
        var job = await BackupTests.ImportAsync(attacker.Api, export, "overwrite");
        Assert.Equal("overwritten", job.GetProperty("result").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await attacker.Api.DeleteAsync($"/api/websites/{site}")).StatusCode);
        var kept = await victim.Api.GetAsync($"/api/assets/{victimAsset}/content");
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        Assert.Equal(secret, await kept.Content.ReadAsByteArrayAsync());
        Assert.Equal(JsonValueKind.Null, (await (await victim.Api.GetAsync($"/api/assets/{victimAsset}")).ReadJsonAsync()).GetProperty("data").GetProperty("websiteId").ValueKind);
    }

    [Fact]
    public async Task An_upload_whose_website_was_deleted_meanwhile_fails_clearly_and_is_discarded()
    {
        var user = await AccountAsync("late-upload");
        var (site, _) = await CreateWebsiteAsync(user, "vanishing");
        var tus = new TusClient(user.Api);
        var bytes = RandomNumberGenerator.GetBytes(200_000);
        var location = await tus.CreateOrFailAsync(bytes.Length, TusClient.Metadata(("filename", "late.bin"), ("websiteId", site.ToString())));
        Assert.Equal(HttpStatusCode.NoContent, (await tus.PatchAsync(location, 0, bytes[..100_000])).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await user.Api.DeleteAsync($"/api/websites/{site}")).StatusCode);
        await (await tus.PatchAsync(location, 100_000, bytes[100_000..])).AssertProblemAsync(HttpStatusCode.Gone, "upload_target_deleted");

        Assert.Equal(HttpStatusCode.NotFound, (await tus.HeadAsync(location)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await user.Api.GetAsync($"/api/assets/{location.Split('/')[^1]}")).StatusCode);
        Assert.Equal(0, await UsedAsync(user.User));
        Assert.Equal(0, await DanglingAssetsAsync());
    }

    [Fact]
    public async Task A_website_data_upload_never_lands_in_a_website_that_took_over_its_id()
    {
        var victim = await AccountAsync("reused-victim");
        var writer = await AccountAsync("reused-writer");
        var (site, _) = await CreateWebsiteAsync(writer, "first-owner");
        var document = Encoding.UTF8.GetBytes("""{"content": {"written": "by the first owner"}}""");
        var tus = new TusClient(writer.Api);
        var location = await tus.CreateOrFailAsync(document.Length, TusClient.Metadata(("target", "website-data"), ("websiteId", site.ToString()), ("ifMatch", "0")));
        Assert.Equal(HttpStatusCode.NoContent, (await writer.Api.DeleteAsync($"/api/websites/{site}")).StatusCode);

        // Another user's import now holds that id (it was free).
        var (victimSite, _) = await CreateWebsiteAsync(victim, "takes-over");
        var backup = await CraftBackupAsync(victim.Api, victimSite, (victimSite.ToString(), site.ToString()));
        Assert.Equal(HttpStatusCode.NoContent, (await victim.Api.DeleteAsync($"/api/websites/{victimSite}")).StatusCode);
        var job = await BackupTests.ImportAsync(victim.Api, backup, "skip");
        Assert.Equal(site, job.GetProperty("result").GetProperty("websiteId").GetGuid());

        await (await tus.PatchAsync(location, 0, document)).AssertProblemAsync(HttpStatusCode.Gone, "upload_target_deleted");
        var data = await victim.Api.GetDataAsync(site);
        Assert.Equal(0, data.GetProperty("version").GetInt32());
        Assert.Equal(0, await UsedAsync(writer.User));
    }

    [Fact]
    public async Task Deleting_a_project_keeps_its_assets_as_their_owners_files_and_refuses_late_uploads_into_it()
    {
        var user = await AccountAsync("project-delete");
        var project = (await (await user.Api.PostAsJsonAsync("/api/projects", new { name = "Short-lived" })).ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        var asset = await UploadAssetAsync(user, RandomNumberGenerator.GetBytes(1000), projectId: project);
        var tus = new TusClient(user.Api);
        var late = await tus.CreateOrFailAsync(10, TusClient.Metadata(("filename", "late.bin"), ("projectId", project.ToString())));

        Assert.Equal(HttpStatusCode.NoContent, (await user.Api.DeleteAsync($"/api/projects/{project}")).StatusCode);
        var kept = (await (await user.Api.GetAsync($"/api/assets/{asset}")).ReadJsonAsync()).GetProperty("data");
        Assert.Equal(JsonValueKind.Null, kept.GetProperty("projectId").ValueKind);
        await (await tus.PatchAsync(late, 0, new byte[10])).AssertProblemAsync(HttpStatusCode.Gone, "upload_target_deleted");
        Assert.Equal(1000, await UsedAsync(user.User));
        Assert.Equal(0, await DanglingAssetsAsync());
    }

    [Fact]
    public async Task An_asset_is_only_filed_under_its_uploaders_own_website_or_project_even_for_an_admin()
    {
        var owner = await AccountAsync("filing-owner");
        var (site, _) = await CreateWebsiteAsync(owner, "filed");
        var project = (await (await owner.Api.PostAsJsonAsync("/api/projects", new { name = "Filed" })).ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        var admin = new TusClient(portal.CreateApiClient((await portal.AdminAsync()).Token));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.CreateAsync(10, TusClient.Metadata(("filename", "x.bin"), ("websiteId", site.ToString())))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.CreateAsync(10, TusClient.Metadata(("filename", "x.bin"), ("projectId", project.ToString())))).StatusCode);
    }
}
