using System.Net;
using System.Net.Sockets;
using Catalyst.Data.Common;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Deployments;

/// <summary>Resolves host names; tests replace it to play DNS tricks (a name that turns into 127.0.0.1).</summary>
public interface IHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct);
}

public sealed class DnsHostResolver : IHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) => Dns.GetHostAddressesAsync(host, ct);
}

/// <summary>A delivery was refused by the server-side request forgery rule.</summary>
public sealed class EndpointRefusedException(string message)
    : DomainException("endpoint_not_allowed", message);

/// <summary>
/// The server-side request forgery rule of SPEC §14: deployment endpoints are https, and neither
/// the URL's host nor any address it resolves to may be loopback, private, link-local, or otherwise
/// not a public unicast address. It is checked when a config is saved and again when a delivery
/// connects: the socket connects only to an address checked at that moment, so a name that
/// changes its answer between the two (DNS rebinding) is still refused.
/// <see cref="DeploymentOptions.AllowPrivateEndpoints"/> lifts the rule for development and tests.
/// </summary>
public sealed class EndpointGuard(IHostResolver resolver, IOptions<DeploymentOptions> options)
{
    private bool AllowPrivate => options.Value.AllowPrivateEndpoints;

    /// <summary>The URL's own shape: absolute, https (http only when private endpoints are allowed), no user info.</summary>
    public Uri CheckUrl(string? endpoint, string field = "endpoint")
    {
        if (string.IsNullOrWhiteSpace(endpoint) || endpoint.Length > 2000 || !Uri.TryCreate(endpoint.Trim(), UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw ValidationFailedException.For(field, "The endpoint must be an absolute https:// URL.");
        if (uri.Scheme != Uri.UriSchemeHttps && !(AllowPrivate && uri.Scheme == Uri.UriSchemeHttp))
            throw ValidationFailedException.For(field, "The endpoint must use https.");
        if (!string.IsNullOrEmpty(uri.UserInfo))
            throw ValidationFailedException.For(field, "The endpoint must not carry a user name or password: use the credential.");
        if (!AllowPrivate && IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var literal) && !IsPublic(literal))
            throw ValidationFailedException.For(field, $"The endpoint's address {literal} is loopback, private or link-local: Catalyst connects to public addresses only.");
        if (!AllowPrivate && uri.IdnHost.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            throw ValidationFailedException.For(field, "The endpoint's host is loopback: Catalyst connects to public addresses only.");
        return uri;
    }

    /// <summary>
    /// The URL, and every address its host resolves to now. A name that does not resolve at all is
    /// accepted (DNS may be down); the delivery checks again when it connects.
    /// </summary>
    public async Task<Uri> CheckAsync(string? endpoint, CancellationToken ct, string field = "endpoint")
    {
        var uri = CheckUrl(endpoint, field);
        if (AllowPrivate || IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out _))
            return uri;
        IPAddress[] addresses;
        try
        {
            addresses = await resolver.ResolveAsync(uri.IdnHost, ct);
        }
        catch (SocketException)
        {
            return uri;
        }
        if (addresses.FirstOrDefault(a => !IsPublic(a)) is { } refused)
            throw ValidationFailedException.For(field, $"The endpoint's host resolves to {refused}, which is loopback, private or link-local: Catalyst connects to public addresses only.");
        return uri;
    }

    /// <summary>The delivery client's connect step: resolve, check every address, connect to a checked one.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await resolver.ResolveAsync(host, ct);
        if (addresses.Length == 0)
            throw new HttpRequestException($"The endpoint's host {host} did not resolve.");
        if (!AllowPrivate && addresses.FirstOrDefault(a => !IsPublic(a)) is { } refused)
            throw new EndpointRefusedException($"The endpoint's host {host} resolves to {refused}, which is loopback, private or link-local: the delivery was not sent.");
#pragma warning disable CA2000 // The NetworkStream owns the socket once connected; a failed connect disposes it below.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
#pragma warning restore CA2000
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether the address is a public unicast address. IPv4-mapped IPv6 addresses (and the NAT64
    /// well-known prefix) are judged by the IPv4 address they carry; other IPv6 forms embedding IPv4
    /// are never public.
    /// </summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 0                                   // "this" network
                || b[0] == 10                                     // private
                || b[0] == 127                                    // loopback
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)     // carrier-grade NAT
                || (b[0] == 169 && b[1] == 254)                   // link-local (cloud metadata)
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)      // private
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)        // IETF protocol assignments
                || (b[0] == 192 && b[1] == 0 && b[2] == 2)        // documentation
                || (b[0] == 192 && b[1] == 168)                   // private
                || (b[0] == 198 && (b[1] == 18 || b[1] == 19))    // benchmarking
                || (b[0] == 198 && b[1] == 51 && b[2] == 100)     // documentation
                || (b[0] == 203 && b[1] == 0 && b[2] == 113)      // documentation
                || b[0] >= 224);                                  // multicast, reserved, broadcast
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (IPAddress.IPv6Loopback.Equals(address) || IPAddress.IPv6None.Equals(address) || IPAddress.IPv6Any.Equals(address))
                return false;
            if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal)
                return false;
            var b = address.GetAddressBytes();
            // Forms that embed an IPv4 address, which a relay or translator on the path may deliver
            // to (SPEC §16): 6to4 (2002::/16), Teredo (2001::/32), IPv4-compatible (::/96, deprecated),
            // IPv4-translated (::ffff:0:0:0/96) and the rest of 64:ff9b::/32 (local-use NAT64,
            // 64:ff9b:1::/48, puts the IPv4 where its operator chooses) are refused whatever they
            // embed: no public endpoint needs them. The well-known NAT64 prefix 64:ff9b::/96 is what
            // DNS64 answers for every IPv4-only host on an IPv6-only network: judged by its IPv4.
            var sixToFour = b[0] == 0x20 && b[1] == 0x02;
            var teredo = b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0;
            var ipv4Compatible = b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0;
            var ipv4Translated = b.AsSpan(0, 8).IndexOfAnyExcept((byte)0) < 0 && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0;
            if (sixToFour || teredo || ipv4Compatible || ipv4Translated)
                return false;
            if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b)  // 64:ff9b::/32, NAT64
                return b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0 && IsPublic(new IPAddress(b.AsSpan(12, 4)));
            if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)  // documentation
                return false;
            return true;
        }
        return false;
    }
}
