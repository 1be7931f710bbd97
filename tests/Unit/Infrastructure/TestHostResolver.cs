using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Catalyst.Data.Deployments;

namespace Catalyst.Tests.Unit.Infrastructure;

/// <summary>
/// DNS for the test Portals: no test may reach a real name server or a non-loopback address. Names
/// a test registers answer what it says (possibly changing between calls: DNS rebinding);
/// <c>localhost</c> is loopback; every other name does not resolve, so nothing can connect to it.
/// </summary>
public sealed class TestHostResolver : IHostResolver
{
    private static readonly ConcurrentDictionary<string, Func<IPAddress[]>> Names = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Makes <paramref name="host"/> resolve through <paramref name="answer"/> (called on every lookup).</summary>
    public static void Register(string host, Func<IPAddress[]> answer) => Names[host] = answer;

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct)
    {
        if (Names.TryGetValue(host, out var answer))
            return Task.FromResult(answer());
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            return Task.FromResult(new[] { IPAddress.Loopback, IPAddress.IPv6Loopback });
        throw new SocketException((int)SocketError.HostNotFound);
    }
}
