using Catalyst.Data.Configuration;
using Catalyst.Data.Jobs;
using Catalyst.Data.LegacyImport.Mapping;
using Catalyst.Data.LegacyImport.Reading;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.LegacyImport;

/// <summary>The browser-storage import: the dump reader with its bounds (<c>Catalyst:Legacy</c>), the import service, the factory of its runs, and its three jobs.</summary>
public static class LegacyImportModule
{
    public static IServiceCollection AddLegacyImport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<LegacyOptions, LegacyOptionsValidator>(configuration, LegacyOptions.Section);
        services.AddSingleton<ILegacyDumpReader>(sp => new LegacyDumpReader(sp.GetRequiredService<IOptions<LegacyOptions>>().Value));
        services.AddScoped<LegacyImportService>();
        services.AddScoped<LegacyImportRunFactory>();
        services.AddJob<LegacyImportJob>(LegacyImportJob.Kind, LegacyImportJob.DisplayName);
        services.AddJob<LegacyImportVerificationJob>(LegacyImportVerificationJob.Kind, LegacyImportVerificationJob.DisplayName);
        services.AddJob<LegacyImportRollbackJob>(LegacyImportRollbackJob.Kind, LegacyImportRollbackJob.DisplayName);
        return services;
    }
}
