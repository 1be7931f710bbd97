using System.Net;
using Catalyst.Tests.Unit.Auth;
using Catalyst.Tests.Unit.Infrastructure;

namespace Catalyst.Tests.Unit.Hardening;

/// <summary>
/// SPEC §2 behind a load balancer, on real Kestrel (the connection's own address is 127.0.0.1):
/// X-Forwarded-For and X-Forwarded-Proto count only when they come from a configured proxy
/// (<c>Catalyst:ForwardedHeaders:KnownProxies</c>/<c>KnownNetworks</c>); otherwise the connection's
/// address is the client's, for the sign-in rate limit as for everything else.
/// </summary>
public class ForwardedHeadersTests
{
    private const int PerAddress = 3;

    private static PortalFactory Portal(params (string Key, string? Value)[] settings)
    {
        var overrides = new Dictionary<string, string?>
        {
            ["Catalyst:SignIn:PerAddressPerMinute"] = PerAddress.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Catalyst:Jobs:Server"] = "false",
        };
        foreach (var (key, value) in settings)
            overrides[key] = value;
        return PortalFactory.StartKestrel(overrides);
    }

    private static async Task<HttpStatusCode> RequestTokenAsync(HttpClient api, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/token")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { email = $"nobody-{Guid.NewGuid():N}@test.local", password = "Whatever-123!", name = "forwarded" }),
        };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return (await api.SendAsync(request)).StatusCode;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Without_known_proxies_X_Forwarded_For_cannot_buy_a_fresh_sign_in_bucket(bool aspNetCoreForwardingSwitchedOn)
    {
        // ASPNETCORE_FORWARDEDHEADERS_ENABLED (a common container setting) would trust every sender: it must not.
        await using var portal = Portal(("FORWARDEDHEADERS_ENABLED", aspNetCoreForwardingSwitchedOn ? "true" : null));
        var api = portal.CreateApiClient();
        for (var attempt = 1; attempt <= PerAddress; attempt++)
            Assert.Equal(HttpStatusCode.Unauthorized, await RequestTokenAsync(api, $"203.0.113.{attempt}"));

        // Every further attempt counts against 127.0.0.1, whatever address it claims to come from.
        foreach (var claimed in new[] { "203.0.113.99", "198.51.100.7, 203.0.113.5", "2001:db8::1" })
            Assert.Equal(HttpStatusCode.TooManyRequests, await RequestTokenAsync(api, claimed));
    }

    [Fact]
    public async Task From_a_known_proxy_X_Forwarded_For_is_the_client_address_with_a_bucket_of_its_own()
    {
        await using var portal = Portal(("Catalyst:ForwardedHeaders:KnownProxies:0", "127.0.0.1"));
        var api = portal.CreateApiClient();
        for (var attempt = 1; attempt <= PerAddress; attempt++)
            Assert.Equal(HttpStatusCode.Unauthorized, await RequestTokenAsync(api, "203.0.113.10"));

        Assert.Equal(HttpStatusCode.TooManyRequests, await RequestTokenAsync(api, "203.0.113.10"));
        // Another client behind the same proxy has its own budget.
        Assert.Equal(HttpStatusCode.Unauthorized, await RequestTokenAsync(api, "203.0.113.20"));
        // A chain: the proxy appended the address it saw; what the client itself claimed further left is not trusted.
        Assert.Equal(HttpStatusCode.TooManyRequests, await RequestTokenAsync(api, "198.51.100.1, 203.0.113.10"));
    }

    [Fact]
    public async Task A_known_network_trusts_the_proxies_inside_it()
    {
        await using var portal = Portal(("Catalyst:ForwardedHeaders:KnownNetworks:0", "127.0.0.0/8"));
        var api = portal.CreateApiClient();
        for (var attempt = 1; attempt <= PerAddress; attempt++)
            Assert.Equal(HttpStatusCode.Unauthorized, await RequestTokenAsync(api, "203.0.113.30"));

        Assert.Equal(HttpStatusCode.TooManyRequests, await RequestTokenAsync(api, "203.0.113.30"));
        Assert.Equal(HttpStatusCode.Unauthorized, await RequestTokenAsync(api, "203.0.113.31"));
    }

    [Fact]
    public async Task Behind_a_TLS_terminating_proxy_the_sign_in_works_in_Production_with_Secure_cookies_and_https_redirects()
    {
        await using var portal = Portal(("environment", "Production"), ("Catalyst:ForwardedHeaders:KnownProxies:0", "127.0.0.1"));
        var user = await portal.CreateUserAsync();
        var browser = new ProxiedBrowser(portal.KestrelAddress!, forwardedProto: "https");

        // An anonymous visit is sent to sign in at the https address the visitor used.
        var anonymous = await browser.SendAsync(HttpMethod.Get, "/Projects");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith("https://", anonymous.Headers.Location?.OriginalString, StringComparison.Ordinal);

        var form = await browser.SendAsync(HttpMethod.Get, "/Account/Login");
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        AssertSecure(SignInTests.SetCookie(form, "catalyst.csrf"));
        var signedIn = await browser.SendAsync(HttpMethod.Post, "/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = user.Email,
            ["Input.Password"] = user.Password,
            ["__RequestVerificationToken"] = (await Forms.ParseAsync(form)).AntiforgeryToken(),
        }));

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/", signedIn.Headers.Location?.OriginalString);
        AssertSecure(SignInTests.SetCookie(signedIn, "catalyst.auth"));
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(HttpMethod.Get, "/Projects")).StatusCode);
    }

    [Fact]
    public async Task Without_a_known_proxy_X_Forwarded_Proto_does_not_make_a_plain_request_https()
    {
        await using var portal = Portal(("environment", "Production"));
        var browser = new ProxiedBrowser(portal.KestrelAddress!, forwardedProto: "https");

        var anonymous = await browser.SendAsync(HttpMethod.Get, "/Projects");

        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith("http://", anonymous.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    private static void AssertSecure(string? setCookie)
    {
        Assert.NotNull(setCookie);
        Assert.Contains("secure", setCookie.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(a => a.ToLowerInvariant()));
    }

    /// <summary>
    /// A browser talking plain http to Kestrel as a TLS-terminating proxy would, adding
    /// X-Forwarded-Proto; it keeps cookies itself (HttpClient would not send Secure cookies over http).
    /// </summary>
    private sealed class ProxiedBrowser(Uri kestrel, string forwardedProto)
    {
        private readonly HttpClient client = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = kestrel };
        private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);

        public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, HttpContent? content = null)
        {
            using var request = new HttpRequestMessage(method, url) { Content = content };
            request.Headers.Add("X-Forwarded-Proto", forwardedProto);
            request.Headers.Add("X-Forwarded-For", "203.0.113.77");
            if (_cookies.Count > 0)
                request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}")));
            var response = await client.SendAsync(request);
            if (response.Headers.TryGetValues("Set-Cookie", out var values))
                foreach (var pair in values.Select(v => v.Split(';', 2)[0].Split('=', 2)))
                    _cookies[pair[0]] = pair[1];
            return response;
        }
    }
}
