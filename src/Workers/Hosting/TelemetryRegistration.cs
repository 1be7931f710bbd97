using Catalyst.Data.Observability;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Catalyst.Workers.Hosting;

/// <summary>Section <c>Catalyst:Observability</c>: where OpenTelemetry exports to. Nothing is exported unless an endpoint is set.</summary>
public sealed class ObservabilityOptions
{
    public const string Section = "Catalyst:Observability";

    /// <summary>The OTLP collector, e.g. <c>http://otel-collector:4317</c>; <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> works too.</summary>
    public string? OtlpEndpoint { get; set; }
    /// <summary><c>grpc</c> (default) or <c>http/protobuf</c>.</summary>
    public string OtlpProtocol { get; set; } = "grpc";
}

public sealed class ObservabilityOptionsValidator : IValidateOptions<ObservabilityOptions>
{
    public ValidateOptionsResult Validate(string? name, ObservabilityOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.OtlpEndpoint) && !(Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            failures.Add("Catalyst:Observability:OtlpEndpoint must be an absolute http:// or https:// URL.");
        if (options.OtlpProtocol is not ("grpc" or "http/protobuf"))
            failures.Add("Catalyst:Observability:OtlpProtocol must be 'grpc' or 'http/protobuf'.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// OpenTelemetry for the Portal and the workers: traces and metrics of HttpClient, EF Core commands
/// (<see cref="DbCommandTelemetry"/>) and jobs (<see cref="CatalystTelemetry"/>), plus whatever the
/// host adds (ASP.NET Core in the Portal), exported over OTLP. Without an endpoint the SDK is not
/// installed at all, so an unconfigured Catalyst pays nothing for it; the admin System page reads
/// the same meters in-process either way.
/// </summary>
public static class TelemetryRegistration
{
    public static IServiceCollection AddCatalystTelemetry(this IServiceCollection services, IConfiguration configuration, string serviceName,
        Action<TracerProviderBuilder>? tracing = null, Action<MeterProviderBuilder>? metrics = null)
    {
        services.AddSingleton<IValidateOptions<ObservabilityOptions>, ObservabilityOptionsValidator>();
        services.AddOptions<ObservabilityOptions>().Bind(configuration.GetSection(ObservabilityOptions.Section)).ValidateOnStart();
        var section = configuration.GetSection(ObservabilityOptions.Section);
        var endpoint = section[nameof(ObservabilityOptions.OtlpEndpoint)] ?? configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (string.IsNullOrWhiteSpace(endpoint) || !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
            return services;
        var protocol = section[nameof(ObservabilityOptions.OtlpProtocol)] == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        // An endpoint set in code is used as is: over http/protobuf each signal needs its own path
        // (/v1/traces, /v1/metrics), which the SDK only appends to endpoints it reads itself.
        Action<OtlpExporterOptions> Exporter(string signalPath) => o =>
        {
            o.Endpoint = protocol == OtlpExportProtocol.HttpProtobuf ? new Uri(uri.AbsoluteUri.TrimEnd('/') + signalPath) : uri;
            o.Protocol = protocol;
        };
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(builder =>
            {
                builder.AddSource(CatalystTelemetry.JobsSourceName, CatalystTelemetry.DataSourceName).AddHttpClientInstrumentation();
                tracing?.Invoke(builder);
                builder.AddOtlpExporter(Exporter("/v1/traces"));
            })
            .WithMetrics(builder =>
            {
                builder.AddMeter(CatalystTelemetry.MeterName).AddHttpClientInstrumentation();
                metrics?.Invoke(builder);
                builder.AddOtlpExporter(Exporter("/v1/metrics"));
            });
        return services;
    }
}
