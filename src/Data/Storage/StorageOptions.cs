using Microsoft.Extensions.Options;

namespace Catalyst.Data.Storage;

public static class StorageProviders
{
    public const string FileSystem = "FileSystem";
    public const string Database = "Database";
    public const string AzureBlob = "AzureBlob";
}

/// <summary>Section <c>Storage</c>: where chunk bytes live, upload limits, and garbage-collection timing.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    public string Provider { get; set; } = StorageProviders.FileSystem;
    /// <summary>Folder of the FileSystem store; default <c>&lt;DataDirectory&gt;/blobs</c>.</summary>
    public string? FileSystemPath { get; set; }
    /// <summary>Unreferenced blobs and chunks are kept at least this long (a writer may be about to use them).</summary>
    public TimeSpan GarbageCollectionGrace { get; set; } = TimeSpan.FromHours(1);
    /// <summary>A writer seals its pack when it reaches this size (or when its chunks must be durable).</summary>
    public long PackBytes { get; set; } = 16L << 20;
    /// <summary>Garbage collection rewrites a pack when less than this share of its bytes is live.</summary>
    public double PruneLiveShare { get; set; } = 0.75;
    public AzureBlobOptions AzureBlob { get; set; } = new();
    public UploadOptions Uploads { get; set; } = new();
    public CompressionOptions Compression { get; set; } = new();
}

/// <summary>
/// Section <c>Storage:Compression</c>: the background recompression of cold chunks. Chunks are
/// written with LZ4 (or as they are) so uploads stay fast; the recurring job rewrites those older
/// than <see cref="AgeThresholdDays"/> with Brotli when that saves at least <see cref="MinSaving"/>.
/// </summary>
public sealed class CompressionOptions
{
    public bool Enabled { get; set; } = true;
    public int AgeThresholdDays { get; set; } = 7;
    /// <summary>Brotli quality, 0-11 (9: about a third of LZ4's size on text at ~10 MB/s per core).</summary>
    public int Quality { get; set; } = 9;
    /// <summary>Share of one core the job may use while it runs (it sleeps in between), 0.05-1.</summary>
    public double CpuBudget { get; set; } = 0.5;
    /// <summary>One run stops after this long and the next continues where it left off.</summary>
    public TimeSpan MaxRunTime { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>A chunk is rewritten only when the strong codec saves at least this share of its stored size.</summary>
    public double MinSaving { get; set; } = 0.10;
}

/// <summary>Section <c>Storage:AzureBlob</c>: the account and container of the AzureBlob store.</summary>
public sealed class AzureBlobOptions
{
    /// <summary>An Azure Storage connection string (account key or SAS; Azurite's for tests).</summary>
    public string? ConnectionString { get; set; }
    /// <summary>Created on first use when missing.</summary>
    public string ContainerName { get; set; } = "catalyst";
}

public sealed class UploadOptions
{
    /// <summary>Largest single upload (Tus-Max-Size); larger ones answer 413.</summary>
    public long MaxUploadBytes { get; set; } = 5L << 30;
    /// <summary>Total bytes a user may hold in assets and unfinished uploads.</summary>
    public long QuotaBytesPerUser { get; set; } = 20L << 30;
    /// <summary>An unfinished upload not touched for this long expires and is cleaned up.</summary>
    public TimeSpan Expiration { get; set; } = TimeSpan.FromHours(24);
    /// <summary>While one PATCH streams, the received bytes are made durable at least this often.</summary>
    public long CheckpointBytes { get; set; } = 32L << 20;
}

public sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var failures = new List<string>();
        if (options.Provider is not (StorageProviders.FileSystem or StorageProviders.Database or StorageProviders.AzureBlob))
            failures.Add($"Storage:Provider must be '{StorageProviders.FileSystem}', '{StorageProviders.Database}' or '{StorageProviders.AzureBlob}' (was '{options.Provider}').");
        if (options.Provider == StorageProviders.AzureBlob)
            failures.AddRange(ValidateAzure(options.AzureBlob));
        if (options.GarbageCollectionGrace < TimeSpan.Zero)
            failures.Add("Storage:GarbageCollectionGrace must not be negative.");
        if (options.PackBytes is < 64 << 10 or > 1L << 30)
            failures.Add("Storage:PackBytes must be between 65536 and 1073741824.");
        if (options.PruneLiveShare is < 0 or > 1)
            failures.Add("Storage:PruneLiveShare must be between 0 and 1.");
        if (options.Uploads.MaxUploadBytes < 1)
            failures.Add("Storage:Uploads:MaxUploadBytes must be positive.");
        if (options.Uploads.QuotaBytesPerUser < 1)
            failures.Add("Storage:Uploads:QuotaBytesPerUser must be positive.");
        if (options.Uploads.Expiration <= TimeSpan.Zero)
            failures.Add("Storage:Uploads:Expiration must be positive.");
        if (options.Compression.AgeThresholdDays < 0)
            failures.Add("Storage:Compression:AgeThresholdDays must not be negative.");
        if (options.Compression.Quality is < 0 or > 11)
            failures.Add("Storage:Compression:Quality must be between 0 and 11.");
        if (options.Compression.CpuBudget is < 0.05 or > 1)
            failures.Add("Storage:Compression:CpuBudget must be between 0.05 and 1.");
        if (options.Compression.MaxRunTime <= TimeSpan.Zero)
            failures.Add("Storage:Compression:MaxRunTime must be positive.");
        if (options.Compression.MinSaving is < 0 or >= 1)
            failures.Add("Storage:Compression:MinSaving must be at least 0 and below 1.");
        if (options.Uploads.CheckpointBytes < 1 << 20)
            failures.Add("Storage:Uploads:CheckpointBytes must be at least 1048576.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static IEnumerable<string> ValidateAzure(AzureBlobOptions azure)
    {
        if (string.IsNullOrWhiteSpace(azure.ConnectionString))
            yield return "Storage:AzureBlob:ConnectionString is required when Storage:Provider is 'AzureBlob'.";
        else if (!IsConnectionString(azure.ConnectionString))
            yield return "Storage:AzureBlob:ConnectionString is not a valid Azure Storage connection string.";
        if (!ContainerName().IsMatch(azure.ContainerName ?? ""))
            yield return $"Storage:AzureBlob:ContainerName must be 3-63 lower-case letters, digits and single hyphens, starting with a letter or digit (was '{azure.ContainerName}').";
    }

    private static bool IsConnectionString(string value)
    {
        try
        {
            _ = new Azure.Storage.Blobs.BlobServiceClient(value);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$")]
    private static partial System.Text.RegularExpressions.Regex ContainerName();
}
