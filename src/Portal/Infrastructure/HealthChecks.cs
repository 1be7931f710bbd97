using System.Text.Json;
using Catalyst.Data;
using Catalyst.Data.Storage;
using Hangfire;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Catalyst.Portal.Infrastructure;

/// <summary><c>/health/live</c> answers while the process runs; <c>/health/ready</c> checks database and job storage.</summary>
public static class HealthChecks
{
    private const string Ready = "ready";

    public static IServiceCollection AddCatalystHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddDbContextCheck<CatalystDbContext>("database", tags: [Ready])
            .AddCheck<JobStorageHealthCheck>("job-storage", tags: [Ready])
            .AddCheck<BlobStoreHealthCheck>("blob-store", tags: [Ready]);
        return services;
    }

    public static void MapCatalystHealthChecks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteAsync });
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        }, JsonSerializerOptions.Web, context.RequestAborted);
    }

    private sealed class BlobStoreHealthCheck(IBlobStore store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await store.CheckHealthAsync(cancellationToken);
                return HealthCheckResult.Healthy(store.Name);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy($"The {store.Name} blob store is not reachable.", ex);
            }
        }
    }

    private sealed class JobStorageHealthCheck(JobStorage storage) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                using var connection = storage.GetConnection();
                connection.GetAllItemsFromSet("recurring-jobs");
                return Task.FromResult(HealthCheckResult.Healthy());
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy("Job storage is not reachable.", ex));
            }
        }
    }
}
