using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Catalyst.Tests.Unit.Deployments;

/// <summary>
/// A hosting provider's build hook on 127.0.0.1 (a free port): it records every request it gets
/// (headers, body size and start, time) and answers what <see cref="Answer"/> says for the n-th
/// request (1-based): a status code and an optional Retry-After.
/// </summary>
public sealed class LoopbackEndpoint : IAsyncDisposable
{
    public sealed record Received(DateTime At, string? Authorization, string? IdempotencyKey, string? Attempt, string? ContentType, long BodyLength, string BodyStart);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Received> _received = new();
    private int _count;

    private LoopbackEndpoint(Func<int, (int Status, string? RetryAfter)> answer)
    {
        Answer = answer;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapPost("/hook", async (HttpContext http) =>
        {
            var n = Interlocked.Increment(ref _count);
            var at = DateTime.UtcNow;
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer);
            var bytes = buffer.ToArray();
            _received.Enqueue(new Received(at, http.Request.Headers.Authorization, http.Request.Headers["Idempotency-Key"], http.Request.Headers["X-Catalyst-Attempt"],
                http.Request.ContentType, bytes.Length, Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 200))));
            if (Hold is { } hold)
                await hold(n);
            var (status, retryAfter) = Answer(n);
            if (retryAfter is not null)
                http.Response.Headers.RetryAfter = retryAfter;
            http.Response.StatusCode = status;
        });
    }

    /// <summary>What the n-th request (1-based) is answered.</summary>
    public Func<int, (int Status, string? RetryAfter)> Answer { get; set; }

    /// <summary>Awaited before the n-th request is answered (after its body is read): a hook that keeps a delivery in flight.</summary>
    public Func<int, Task>? Hold { get; set; }

    public string Url { get; private set; } = "";

    public IReadOnlyList<Received> Requests => [.. _received];

    public static async Task<LoopbackEndpoint> StartAsync(Func<int, (int Status, string? RetryAfter)> answer)
    {
        var endpoint = new LoopbackEndpoint(answer);
        await endpoint._app.StartAsync();
        var address = endpoint._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        endpoint.Url = address.TrimEnd('/') + "/hook";
        return endpoint;
    }

    /// <summary>Fails the first <paramref name="failures"/> requests with <paramref name="status"/>, then answers 200.</summary>
    public static Task<LoopbackEndpoint> FailingAsync(int failures, int status = 503) =>
        StartAsync(n => n <= failures ? (status, null) : (200, null));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
