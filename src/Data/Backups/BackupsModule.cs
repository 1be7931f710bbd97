using Catalyst.Data.Jobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Data.Backups;

/// <summary>Website backups (export and import) and account archives, with their jobs.</summary>
public static class BackupsModule
{
    public static IServiceCollection AddBackups(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<WebsiteBackupWriter>();
        services.AddScoped<WebsiteImportService>();
        services.AddScoped<AccountArchive>();
        services.AddJob<WebsiteExportJob>(WebsiteExportJob.Kind, WebsiteExportJob.DisplayName);
        services.AddJob<WebsiteImportJob>(WebsiteImportJob.Kind, WebsiteImportJob.DisplayName);
        services.AddJob<AccountExportJob>(AccountExportJob.Kind, AccountExportJob.DisplayName);
        return services;
    }
}
