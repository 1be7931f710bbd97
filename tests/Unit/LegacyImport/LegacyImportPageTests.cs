using Catalyst.Tests.Unit.Infrastructure;

namespace Catalyst.Tests.Unit.LegacyImport;

/// <summary>The pages live at /legacy-import; the /Migrations URLs of before the rename keep working.</summary>
public class LegacyImportPageTests(PortalFactory portal)
{
    [Fact]
    public async Task The_pages_answer_at_legacy_import_and_at_their_old_Migrations_urls_and_link_to_the_new_ones()
    {
        var user = await portal.CreateUserAsync("legacy-pages");
        var (id, _) = await new LegacyHarness(portal).RunAsync(user, LegacyTestDumps.Create().Small(), dryRun: true);
        var browser = await portal.CreateSignedInBrowserAsync(user);

        foreach (var url in new[] { "/legacy-import", "/Migrations", "/Migrations/Index" })
        {
            var list = await browser.GetDocumentAsync(url);
            Assert.NotNull(list.QuerySelector($"[data-testid=migration-list] a[href='/legacy-import/{id}']"));
            Assert.NotNull(list.QuerySelector("nav a[href='/legacy-import'][aria-current=page]"));
        }
        foreach (var url in new[] { $"/legacy-import/{id}", $"/Migrations/Details/{id}" })
        {
            var details = await browser.GetDocumentAsync(url);
            Assert.Equal("dry-run", details.QuerySelector("[data-testid=migration-state]")?.TextContent.Trim());
            Assert.Equal($"/legacy-import/{id}", details.QuerySelector("[data-testid=migration-status]")?.GetAttribute("hx-get"));
        }
    }
}
