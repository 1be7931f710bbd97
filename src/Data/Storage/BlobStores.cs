using Catalyst.Data.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Data.Storage;

/// <summary>Makes the blob store a <see cref="StorageOptions"/> describes (the configured one, or a copy-store target).</summary>
public static class BlobStores
{
    public static IBlobStore Create(StorageOptions storage, IServiceProvider services, string contentRoot) => storage.Provider switch
    {
        StorageProviders.Database => new DatabaseBlobStore(services.GetRequiredService<IServiceScopeFactory>(), services.GetRequiredService<TimeProvider>()),
        StorageProviders.AzureBlob => new AzureBlobStore(storage.AzureBlob.ConnectionString!, storage.AzureBlob.ContainerName),
        _ => new FileSystemBlobStore(storage.FileSystemPath is { Length: > 0 } path
            ? Path.GetFullPath(Path.Combine(contentRoot, path))
            : services.GetRequiredService<CatalystPaths>().Blobs),
    };

    /// <summary>A short description for logs and reports (never a connection string).</summary>
    public static string Describe(StorageOptions storage) => storage.Provider switch
    {
        StorageProviders.AzureBlob => $"AzureBlob container '{storage.AzureBlob.ContainerName}'",
        StorageProviders.Database => "Database",
        _ => $"FileSystem {storage.FileSystemPath ?? "(data directory)"}",
    };
}
