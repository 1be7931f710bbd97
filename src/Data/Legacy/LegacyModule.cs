using Catalyst.Data.Legacy.Reading;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Legacy;

/// <summary>The browser-storage import: the dump reader with its bounds, and the migration service and runner.</summary>
public static class LegacyModule
{
    public static IServiceCollection AddLegacy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IValidateOptions<LegacyOptions>, LegacyOptionsValidator>();
        services.AddOptions<LegacyOptions>().Bind(configuration.GetSection(LegacyOptions.Section)).ValidateOnStart();
        services.AddSingleton<ILegacyDumpReader>(sp => new LegacyDumpReader(sp.GetRequiredService<IOptions<LegacyOptions>>().Value));
        services.AddScoped<LegacyMigrationService>();
        services.AddScoped<LegacyMigrationRunner>();
        return services;
    }
}
