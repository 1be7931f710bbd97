using Catalyst.Data.LegacyImport.Mapping;
using Catalyst.Data.LegacyImport.Reading;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.LegacyImport;

/// <summary>The browser-storage import: the dump reader with its bounds (<c>Catalyst:Legacy</c>), the import service and the factory of its runs.</summary>
public static class LegacyImportModule
{
    public static IServiceCollection AddLegacyImport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IValidateOptions<LegacyOptions>, LegacyOptionsValidator>();
        services.AddOptions<LegacyOptions>().Bind(configuration.GetSection(LegacyOptions.Section)).ValidateOnStart();
        services.AddSingleton<ILegacyDumpReader>(sp => new LegacyDumpReader(sp.GetRequiredService<IOptions<LegacyOptions>>().Value));
        services.AddScoped<LegacyImportService>();
        services.AddScoped<LegacyImportRunFactory>();
        return services;
    }
}
