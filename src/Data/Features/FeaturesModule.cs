using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.FeatureManagement;
using Microsoft.FeatureManagement.FeatureFilters;

namespace Catalyst.Data.Features;

/// <summary>Feature flags stored in the database, evaluated by Microsoft.FeatureManagement.</summary>
public static class FeaturesModule
{
    public static IServiceCollection AddFeatureFlags(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<DatabaseFeatureDefinitionProvider>();
        services.AddSingleton<IFeatureDefinitionProvider>(sp => sp.GetRequiredService<DatabaseFeatureDefinitionProvider>());
        services.Configure<TargetingEvaluationOptions>(o => o.IgnoreCase = true);
        services.AddFeatureManagement();
        services.AddScoped<IUserFeatures, UserFeatures>();
        services.AddScoped<FeatureFlagService>();
        return services;
    }
}
