using System.Collections.Concurrent;
using System.Net;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Catalyst.Tests.Unit.Observability;

/// <summary>SPEC §14: OpenTelemetry traces and metrics go to an OTLP collector when one is configured; a bad endpoint stops start-up.</summary>
public class OtlpExportTests
{
    /// <summary>An OTLP/HTTP collector on loopback that only records which paths were posted to.</summary>
    private sealed class Collector : IAsyncDisposable
    {
        private readonly WebApplication _app;
        public ConcurrentQueue<(string Path, string? ContentType, long Length)> Posts { get; } = new();
        public string Url { get; private set; } = "";

        private Collector()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
            _app = builder.Build();
            _app.MapPost("/{**path}", async (HttpContext http) =>
            {
                using var body = new MemoryStream();
                await http.Request.Body.CopyToAsync(body);
                Posts.Enqueue((http.Request.Path.Value ?? "", http.Request.ContentType, body.Length));
                return Results.Ok();
            });
        }

        public static async Task<Collector> StartAsync()
        {
            var collector = new Collector();
            await collector._app.StartAsync();
            collector.Url = collector._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return collector;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task With_an_OTLP_http_endpoint_traces_and_metrics_are_posted_to_their_signal_paths()
    {
        await using var collector = await Collector.StartAsync();
        await using var portal = new PortalFactory(new Dictionary<string, string?>
        {
            ["Catalyst:Observability:OtlpEndpoint"] = collector.Url,
            ["Catalyst:Observability:OtlpProtocol"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        });
        await portal.InitializeAsync();
        var user = await portal.CreateUserAsync("traced");
        var api = portal.CreateApiClient(user.Token);

        await Poll.UntilAsync(async () =>
        {
            await api.GetAsync("/api/projects");
            return collector.Posts.Select(p => p.Path).ToHashSet();
        }, paths => paths.Contains("/v1/traces") && paths.Contains("/v1/metrics"), TimeSpan.FromSeconds(30),
            "traces and metrics at the collector; posted so far: " + string.Join(", ", collector.Posts.Select(p => p.Path).Distinct()));

        Assert.All(collector.Posts, p => Assert.Equal("application/x-protobuf", p.ContentType));
    }

    [Fact]
    public async Task A_bad_endpoint_stops_the_process_naming_the_key()
    {
        await using var portal = PortalProcess.Start(new Dictionary<string, string> { ["Catalyst__Observability__OtlpEndpoint"] = "collector:4317" });

        Assert.NotEqual(0, await portal.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Catalyst:Observability:OtlpEndpoint", portal.StandardError, StringComparison.Ordinal);
    }
}
