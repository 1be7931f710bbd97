using Catalyst.Data.Jobs;
using Catalyst.Data.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Data.Uploads;

/// <summary>Resumable (tus) uploads: the upload service, its locks and running hashes, and the expiry cleanup.</summary>
public static class UploadsModule
{
    public static IServiceCollection AddUploads(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<UploadLocks>();
        services.AddSingleton<UploadHashes>();
        services.AddScoped<UploadService>();
        // Unfinished uploads hold quota for their declared length (the store's quota asks through this).
        services.AddScoped<IStorageHolding, UnfinishedUploadHolding>();
        services.AddScoped<IChunkHolder, UploadChunkHolding>();
        services.AddJob<UploadCleanupJob>(UploadCleanupJob.Kind, UploadCleanupJob.DisplayName);
        return services;
    }
}
