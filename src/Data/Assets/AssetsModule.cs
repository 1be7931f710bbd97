using Catalyst.Data.Configuration;
using Catalyst.Data.Projects;
using Catalyst.Data.Websites;
using Catalyst.Data.Uploads;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Assets;

/// <summary>Assets: files a user stored, their presigned upload and download URLs, and the upload completion that files them.</summary>
public static class AssetsModule
{
    public static IServiceCollection AddAssets(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<AssetService>();
        services.AddScoped<IProjectDependent, AssetProjectLinks>();
        services.AddScoped<IWebsiteDependent, AssetWebsiteLinks>();
        services.AddValidatedOptions<PresignOptions, PresignOptionsValidator>(configuration, PresignOptions.Section);
        services.AddSingleton<PresignKey>();
        services.AddScoped<PresignService>();
        services.AddScoped<IUploadCompletionHandler, AssetUploadCompletion>();
        return services;
    }
}
