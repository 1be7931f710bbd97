using Catalyst.Data.Uploads;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Data.Websites;

/// <summary>Websites: their content model, versioned data documents and preferences.</summary>
public static class WebsitesModule
{
    public static IServiceCollection AddWebsites(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<WebsiteService>();
        services.AddScoped<ContentModelService>();
        services.AddScoped<WebsiteDataService>();
        services.AddScoped<PreferencesService>();
        services.AddScoped<IUploadCompletionHandler, WebsiteDataUploadCompletion>();
        return services;
    }
}
