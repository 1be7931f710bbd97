using Catalyst.Data.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Sync;

/// <summary>The change feed clients sync from.</summary>
public static class SyncModule
{
    public static IServiceCollection AddSync(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<SyncOptions, SyncOptionsValidator>(configuration, SyncOptions.Section);
        services.AddScoped<SyncService>();
        services.AddScoped<Features.IFeatureFlagChangeListener, SyncFeatureFlagListener>();
        return services;
    }
}
