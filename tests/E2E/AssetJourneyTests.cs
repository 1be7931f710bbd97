using System.Security.Cryptography;
using Catalyst.Tests.E2E.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Catalyst.Tests.E2E;

[Collection(PortalCollection.Name)]
public class AssetJourneyTests(PortalSession session)
{
    [Fact]
    public async Task A_file_uploaded_on_the_assets_page_reaches_100_percent_and_downloads_byte_for_byte()
    {
        var (context, page, errors) = await session.NewPageAsync();
        await using var _ = context;
        var file = Path.Combine(Path.GetTempPath(), $"catalyst-e2e-{Guid.NewGuid():N}.bin");
        var bytes = RandomNumberGenerator.GetBytes(12 * 1024 * 1024 + 12345);
        await File.WriteAllBytesAsync(file, bytes);
        try
        {
            await session.SignInAsync(page);
            await page.GetByRole(AriaRole.Link, new() { Name = "Assets", Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Assets" })).ToBeVisibleAsync();

            await page.Locator("#upload-file").SetInputFilesAsync(file);
            await page.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).ClickAsync();
            await Expect(page.Locator("#upload-status")).ToContainTextAsync("uploaded", new() { Timeout = 60_000 });
            await Expect(page.Locator("#upload-progress")).ToHaveAttributeAsync("value", "100");

            var name = Path.GetFileName(file);
            var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = name });
            await Expect(row).ToBeVisibleAsync();
            var download = await page.RunAndWaitForDownloadAsync(() => row.GetByTestId("download").ClickAsync());
            var saved = Path.Combine(Path.GetTempPath(), $"catalyst-e2e-download-{Guid.NewGuid():N}");
            await download.SaveAsAsync(saved);
            Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await File.ReadAllBytesAsync(saved)));
            File.Delete(saved);

            await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "catalyst-assets.png"), FullPage = true });
            Assert.Empty(errors);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task The_admin_storage_page_shows_the_savings_chart_and_runs_verification()
    {
        var (context, page, errors) = await session.NewPageAsync();
        await using var _ = context;
        await session.SignInAsync(page);
        await page.GotoAsync("/Admin/Storage");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Storage" })).ToBeVisibleAsync();
        await page.GetByTestId("run-verify").ClickAsync();
        await Expect(page.GetByTestId("job-status")).ToHaveAttributeAsync("data-status", "Succeeded", new() { Timeout = 30_000 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "catalyst-storage.png"), FullPage = true });
        Assert.Empty(errors);
    }
}
