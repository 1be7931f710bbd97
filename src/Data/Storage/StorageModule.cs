using Catalyst.Data.Configuration;
using Catalyst.Data.Jobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Storage;

/// <summary>The content-addressed blob store (platform): the configured store, chunking, quota, GC, verification and copying.</summary>
public static class StorageModule
{
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        services.AddValidatedOptions<StorageOptions, StorageOptionsValidator>(configuration, StorageOptions.Section);
        services.AddSingleton<IBlobStore>(sp => BlobStores.Create(sp.GetRequiredService<IOptions<StorageOptions>>().Value, sp, contentRoot));
        services.AddSingleton<ChunkWriter>();
        services.AddSingleton<BlobIndexCache>();
        services.AddSingleton<ChunkLocator>();
        services.AddScoped<ContentStore>();
        services.AddScoped<StorageQuota>();
        services.AddScoped<StorageStatistics>();
        services.AddScoped<StorageGarbageCollector>();
        services.AddScoped<PackPruner>();
        services.AddScoped<PackIndexRebuilder>();
        services.AddScoped<Repacker>();
        services.AddScoped<StorageVerifier>();
        services.AddScoped<ChunkRecompressor>();
        services.AddScoped<StoreCopier>();
        services.AddJob<StorageGarbageCollectionJob>(StorageGarbageCollectionJob.Kind, StorageGarbageCollectionJob.DisplayName);
        services.AddJob<StorageVerificationJob>(StorageVerificationJob.Kind, StorageVerificationJob.DisplayName);
        services.AddJob<StorageRecompressionJob>(StorageRecompressionJob.Kind, StorageRecompressionJob.DisplayName);
        return services;
    }
}
