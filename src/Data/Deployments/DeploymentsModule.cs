using Catalyst.Data.Configuration;
using Catalyst.Data.Backups;
using Catalyst.Data.Outbox;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Deployments;

/// <summary>Deployment configurations and their deliveries (through the outbox, behind the SSRF guard).</summary>
public static class DeploymentsModule
{
    public static IServiceCollection AddDeployments(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<DeploymentOptions, DeploymentOptionsValidator>(configuration, DeploymentOptions.Section);
        services.TryAddSingleton<IHostResolver, DnsHostResolver>();
        services.AddSingleton<EndpointGuard>();
        services.AddHttpClient(DeploymentDelivery.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                // Every connection goes through the SSRF check; no proxy, redirects or cookies.
                ConnectCallback = sp.GetRequiredService<EndpointGuard>().ConnectAsync,
                UseProxy = false,
                AllowAutoRedirect = false,
                UseCookies = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            })
            // The endpoint URL of a build hook can itself be a secret: keep HttpClient's request logs out.
            .RemoveAllLoggers()
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddScoped<DeploymentService>();
        services.AddScoped<IBackupDeploymentConfigs, DeploymentBackupConfigs>();
        services.AddKeyedScoped<IOutboxHandler, DeploymentDelivery>(SyncOperationKinds.Deployment);
        return services;
    }
}
