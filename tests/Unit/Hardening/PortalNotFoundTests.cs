using System.Diagnostics;
using System.Net;
using Catalyst.Data.Jobs;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Tests.Unit.Jobs;
using Catalyst.Tests.Unit.Marketplace;
using Catalyst.Tests.Unit.Websites;

namespace Catalyst.Tests.Unit.Hardening;

/// <summary>
/// SPEC §16: in the portal, a page naming another user's resource, or one that does not exist, is a
/// 404 for people (the Not found page) logged at Information: no Error entry, no stack trace.
/// </summary>
public class PortalNotFoundTests
{
    [Fact]
    public async Task Another_users_or_a_missing_resource_in_a_page_is_a_404_logged_at_information()
    {
        await using var portal = new PortalFactory(new Dictionary<string, string?> { ["Serilog:MinimumLevel:Default"] = "Information" });
        var owner = await portal.CreateUserAsync("nf-owner");
        var website = await portal.CreateWebsiteAsync(owner, "Owner's site");
        var project = await portal.CreateApiClient(owner.Token).CreateProjectAsync("Owner's project");
        var run = await portal.InsertRunAsync(owner.Id, JobRunStatus.Failed, new { ownerId = owner.Id });
        var other = await portal.CreateUserAsync("nf-other");
        var browser = await portal.CreateSignedInBrowserAsync(other);

        var pages = new[]
        {
            $"/Websites/Details/{website.Id}", $"/Projects/Edit/{project}", $"/Jobs/Details/{run.Id}",
            $"/Websites/Details/{Guid.NewGuid()}", $"/Projects/Edit/{Guid.NewGuid()}", $"/Jobs/Details/{Guid.NewGuid()}",
        };
        var correlations = new Dictionary<string, string>();
        foreach (var page in pages)
        {
            var correlation = $"nf-{Guid.NewGuid():N}";
            correlations[correlation] = page;
            using var request = new HttpRequestMessage(HttpMethod.Get, page);
            request.Headers.Add("X-Correlation-Id", correlation);
            var clock = Stopwatch.StartNew();
            using var response = await browser.SendAsync(request);
            TestContext.Current.TestOutputHelper?.WriteLine($"{page}: {(int)response.StatusCode} in {clock.ElapsedMilliseconds} ms");

            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{page} answered {(int)response.StatusCode}");
            var html = await response.Content.ReadAsStringAsync();
            Assert.Contains("Not found", html, StringComparison.Ordinal);
            Assert.DoesNotContain("Owner&#x27;s", html, StringComparison.Ordinal);
            Assert.DoesNotContain("NotFoundException", html, StringComparison.Ordinal);
        }

        var logs = await Poll.UntilAsync(() => Task.FromResult(PortalLogs.ReadAll(Path.Combine(portal.DataDirectory, "logs"))),
            text => correlations.Keys.All(c => text.Contains($"\"CorrelationId\":\"{c}\"", StringComparison.Ordinal) && RequestLine(text, c) is not null),
            TimeSpan.FromSeconds(20), "the request logs to reach the files");
        foreach (var (correlation, page) in correlations)
        {
            var entries = logs.Split('\n').Where(l => l.Contains($"\"CorrelationId\":\"{correlation}\"", StringComparison.Ordinal)).ToList();
            Assert.Contains("\"StatusCode\":404", RequestLine(logs, correlation), StringComparison.Ordinal);
            Assert.All(entries, entry =>
            {
                // Compact JSON leaves "@l" out at Information; Warning and above carry it.
                Assert.False(entry.Contains("\"@l\":\"Error\"", StringComparison.Ordinal) || entry.Contains("\"@l\":\"Fatal\"", StringComparison.Ordinal)
                    || entry.Contains("\"@l\":\"Warning\"", StringComparison.Ordinal), $"{page} logged above Information: {entry}");
                Assert.DoesNotContain("\"@x\"", entry, StringComparison.Ordinal);
            });
            Assert.Contains(entries, e => e.Contains("not_found", StringComparison.Ordinal) && !e.Contains("\"@l\"", StringComparison.Ordinal));
        }
    }

    private static string? RequestLine(string logs, string correlation) =>
        logs.Split('\n').FirstOrDefault(l => l.Contains($"\"CorrelationId\":\"{correlation}\"", StringComparison.Ordinal)
                                             && l.Contains("\"@mt\":\"HTTP {RequestMethod}", StringComparison.Ordinal));
}
