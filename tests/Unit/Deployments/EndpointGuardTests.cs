using System.Net;
using Catalyst.Data.Deployments;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Tests.Unit.Websites;

namespace Catalyst.Tests.Unit.Deployments;

/// <summary>SPEC §14 server-side request forgery rule, with private endpoints not allowed (the default).</summary>
public class EndpointGuardTests(PortalFactory portal)
{
    [Theory]
    [InlineData("https://127.0.0.1/hook")]
    [InlineData("https://127.8.9.10:8443/hook")]
    [InlineData("https://10.1.2.3/hook")]
    [InlineData("https://172.16.0.5/hook")]
    [InlineData("https://192.168.1.20/hook")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://100.64.0.1/hook")]
    [InlineData("https://0.0.0.0/hook")]
    [InlineData("https://[::1]/hook")]
    [InlineData("https://[fe80::1]/hook")]
    [InlineData("https://[fd00::1]/hook")]
    [InlineData("https://[::ffff:127.0.0.1]/hook")]
    [InlineData("https://[2002:7f00:1::1]/hook")]
    [InlineData("https://[2002:a9fe:a9fe::1]/latest/meta-data")]
    [InlineData("https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook")]
    [InlineData("https://[64:ff9b::a9fe:a9fe]/latest/meta-data")]
    [InlineData("https://[64:ff9b:1::a00:1]/hook")]
    [InlineData("https://[::127.0.0.1]/hook")]
    [InlineData("https://sixtofour-alias.test/hook")]
    [InlineData("https://localhost/hook")]
    [InlineData("https://loopback-alias.test/hook")]
    [InlineData("https://private-alias.test/hook")]
    [InlineData("https://metadata-alias.test/hook")]
    [InlineData("http://hooks.example.com/build")]
    [InlineData("https://user:pass@hooks.example.com/build")]
    [InlineData("ftp://hooks.example.com/build")]
    [InlineData("/relative/hook")]
    public async Task Private_loopback_and_link_local_endpoints_are_refused_also_after_DNS_resolution(string endpoint)
    {
        TestHostResolver.Register("loopback-alias.test", () => [IPAddress.Loopback]);
        TestHostResolver.Register("private-alias.test", () => [IPAddress.Parse("93.184.216.34"), IPAddress.Parse("10.0.0.7")]);
        TestHostResolver.Register("metadata-alias.test", () => [IPAddress.Parse("169.254.169.254")]);
        TestHostResolver.Register("sixtofour-alias.test", () => [IPAddress.Parse("2002:a00:1::1")]);
        var (_, api, websiteId) = await portal.UserWithWebsiteAsync("ssrf");

        var response = await api.PostJsonAsync($"/api/websites/{websiteId}/deployment-configs", new { name = "Bad", provider = "webhook", endpoint });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("endpoint", out _), problem.ToString());
    }

    [Fact]
    public async Task A_name_that_turns_into_a_loopback_address_after_it_was_saved_is_refused_when_the_delivery_connects()
    {
        var lookups = 0;
        // Public when the config is saved; loopback from then on (DNS rebinding).
        TestHostResolver.Register("rebinding.test", () => Interlocked.Increment(ref lookups) == 1 ? [IPAddress.Parse("93.184.216.34")] : [IPAddress.Loopback]);
        var (_, api, websiteId) = await portal.UserWithWebsiteAsync("rebind");
        var created = await api.PostJsonAsync($"/api/websites/{websiteId}/deployment-configs", new { name = "Rebinding", provider = "webhook", endpoint = "https://rebinding.test/hook" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var configId = (await created.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();

        var run = await api.WaitForRunAsync(await api.DeployAsync(configId), "failed");

        var attempt = Assert.Single(run.GetProperty("attempts").EnumerateArray());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, attempt.GetProperty("statusCode").ValueKind);
        Assert.Contains("resolves to 127.0.0.1", attempt.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("not sent", run.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.255.255.255", false)]
    [InlineData("172.31.0.1", false)]
    [InlineData("172.32.0.1", true)]
    [InlineData("192.168.0.1", false)]
    [InlineData("169.254.0.1", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("255.255.255.255", false)]
    [InlineData("8.8.8.8", true)]
    [InlineData("93.184.216.34", true)]
    [InlineData("::1", false)]
    [InlineData("fe80::abcd", false)]
    [InlineData("fc00::1", false)]
    [InlineData("ff02::1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("::ffff:8.8.8.8", true)]
    [InlineData("64:ff9b::7f00:1", false)]
    // IPv6 forms that embed an IPv4 address. 6to4 (2002::/16), Teredo (2001::/32), local-use NAT64
    // (64:ff9b:1::/48) and IPv4-compatible (::/96) are refused whatever they embed; the well-known
    // NAT64 prefix (64:ff9b::/96, what DNS64 answers for every IPv4-only host) is judged by its IPv4.
    [InlineData("2002:7f00:1::1", false)]
    [InlineData("2002:a00:1::1", false)]
    [InlineData("2002:c0a8:101::1", false)]
    [InlineData("2002:a9fe:a9fe::1", false)]
    [InlineData("2002:808:808::1", false)]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", false)]
    [InlineData("2001::1", false)]
    [InlineData("2001:0:f5ff:fffe::80ff:fffe", false)]
    [InlineData("64:ff9b::a00:1", false)]
    [InlineData("64:ff9b::a9fe:a9fe", false)]
    [InlineData("64:ff9b::808:808", true)]
    [InlineData("64:ff9b:1::a00:1", false)]
    [InlineData("64:ff9b:1::808:808", false)]
    [InlineData("64:ff9b:1:ffff::808:808", false)]
    [InlineData("::7f00:1", false)]
    [InlineData("::a00:1", false)]
    [InlineData("::808:808", false)]
    [InlineData("::ffff:0:a00:1", false)]
    [InlineData("::ffff:169.254.169.254", false)]
    [InlineData("2001:4860:4860::8888", true)]
    [InlineData("2606:4700:4700::1111", true)]
    public void Public_addresses_are_told_from_the_rest(string address, bool isPublic) =>
        Assert.Equal(isPublic, EndpointGuard.IsPublic(IPAddress.Parse(address)));
}
