using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Catalyst.Tests.Unit.Infrastructure;

namespace Catalyst.Tests.Unit.Foundation;

/// <summary>The API reference at /api/docs lives within its CSP: nothing from another host, none of Scalar's hosted services.</summary>
public partial class ApiReferenceTests(PortalFactory portal)
{
    [GeneratedRegex(@"initialize\(\s*'[^']*',\s*\w+,\s*(\{.*\}),", RegexOptions.Singleline)]
    private static partial Regex Configuration();

    [Fact]
    public async Task The_API_reference_uses_no_other_host_and_turns_off_the_hosted_features()
    {
        var response = await portal.CreateBrowser().GetAsync("/api/docs/", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.DoesNotMatch(@"https?://", html);
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.DoesNotMatch(@"https?:|\*", csp);
        var configuration = JsonDocument.Parse(Configuration().Match(html).Groups[1].Value).RootElement;
        Assert.False(configuration.GetProperty("withDefaultFonts").GetBoolean());   // fonts come from Scalar's CDN otherwise
        Assert.Equal("never", configuration.GetProperty("showDeveloperTools").GetString()); // share, deploy, generate SDK
        Assert.True(configuration.GetProperty("agent").GetProperty("disabled").GetBoolean()); // Ask AI
        Assert.True(configuration.GetProperty("mcp").GetProperty("disabled").GetBoolean());
        Assert.False(configuration.GetProperty("telemetry").GetBoolean());
    }
}
