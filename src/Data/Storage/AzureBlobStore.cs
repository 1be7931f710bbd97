using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Catalyst.Data.Storage;

/// <summary>
/// Packs (and loose chunks from before packs) as block blobs named <c>chunks/&lt;key&gt;</c> in one Azure Blob Storage container, the
/// store several Portal and Worker machines share. A chunk (at most 256 KiB) goes up in a single
/// Put Blob, which the service commits whole or not at all, so no reader sees a partial chunk.
/// New chunks are created with <c>If-None-Match: *</c>: when two instances write the same chunk
/// one creates it and the other only refreshes its last-modified time (a metadata write), which
/// is also how a writer keeps the garbage collector off an object it relies on; the collector
/// deletes with <c>If-Unmodified-Since</c> its cut-off, so a touch that lands first wins.
/// </summary>
public sealed class AzureBlobStore : IBlobStore
{
    private const string Prefix = "chunks/";
    private readonly BlobContainerClient _container;
    private volatile bool _created;

    public AzureBlobStore(BlobContainerClient container) => _container = container;

    public AzureBlobStore(string connectionString, string containerName)
        : this(new BlobContainerClient(connectionString, containerName, new BlobClientOptions
        {
            Retry = { MaxRetries = 5, Mode = Azure.Core.RetryMode.Exponential, Delay = TimeSpan.FromMilliseconds(200), NetworkTimeout = TimeSpan.FromSeconds(60) },
        }))
    {
    }

    public string Name => "AzureBlob";

    /// <summary>Eight 64 KiB chunks (loose) or eight coalesced reads (packed) in flight per reader: enough to hide a round trip.</summary>
    public int ReadAhead => 8;

    /// <summary>
    /// Neighbouring packed chunks are fetched in one ranged GET of up to this many bytes: large
    /// enough that a request's overhead is small beside its bytes, small enough that the first
    /// bytes of a response go out before a whole range has arrived.
    /// </summary>
    public int CoalescedReadBytes => 1 << 20;

    public string ContainerName => _container.Name;

    public async Task EnsureAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        var blob = Blob(key);
        await EnsureContainerAsync(ct);
        try
        {
            await UploadAsync(blob, data, new BlobRequestConditions { IfNoneMatch = ETag.All }, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409 || ex.Status == 412)
        {
            // Already there (another writer, or an orphan the collector has not removed yet):
            // same key, same bytes. Refresh its last-modified time so the collector spares it.
            try
            {
                await blob.SetMetadataAsync(new Dictionary<string, string> { ["touched"] = DateTime.UtcNow.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture) }, cancellationToken: ct);
            }
            catch (RequestFailedException gone) when (gone.Status == 404)
            {
                // Collected between the two calls, or only uncommitted blocks of an interrupted
                // write are under the name. A content-addressed key always carries the same bytes
                // and a Put Blob replaces atomically, so an unconditional write is safe.
                await UploadAsync(blob, data, conditions: null, ct);
            }
        }
    }

    private static Task UploadAsync(BlobClient blob, ReadOnlyMemory<byte> data, BlobRequestConditions? conditions, CancellationToken ct) =>
        blob.UploadAsync(BinaryData.FromBytes(data), new BlobUploadOptions
        {
            Conditions = conditions,
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/octet-stream" },
            TransferOptions = new Azure.Storage.StorageTransferOptions { InitialTransferSize = 4 << 20, MaximumTransferSize = 4 << 20 },
        }, ct);

    public async Task<byte[]?> ReadAsync(string key, CancellationToken ct)
    {
        try
        {
            var result = await Blob(key).DownloadContentAsync(ct);
            return result.Value.Content.ToArray();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async ValueTask<int> ReadIntoAsync(string key, Memory<byte> buffer, CancellationToken ct)
    {
        try
        {
            var response = await Blob(key).DownloadStreamingAsync(cancellationToken: ct);
            await using var content = response.Value.Content;
            var total = 0;
            int read;
            while (total < buffer.Length && (read = await content.ReadAsync(buffer[total..], ct)) > 0)
                total += read;
            if (total == buffer.Length && response.Value.Details.ContentLength > buffer.Length)
                throw new InvalidDataException($"Chunk {key} is {response.Value.Details.ContentLength} bytes, more than the {buffer.Length} expected.");
            return total;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return -1;
        }
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken ct) => (await Blob(key).ExistsAsync(ct)).Value;

    /// <summary>One ranged GET inside the object (a pack): the reader asks for neighbouring chunks together.</summary>
    public async ValueTask<int> ReadRangeAsync(string key, long offset, Memory<byte> buffer, CancellationToken ct)
    {
        try
        {
            var response = await Blob(key).DownloadStreamingAsync(new BlobDownloadOptions { Range = new HttpRange(offset, buffer.Length) }, ct);
            await using var content = response.Value.Content;
            var total = 0;
            int read;
            while (total < buffer.Length && (read = await content.ReadAsync(buffer[total..], ct)) > 0)
                total += read;
            return total;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return -1;
        }
        catch (RequestFailedException ex) when (ex.Status == 416)
        {
            return 0; // the range starts at or after the end
        }
    }

    /// <summary>
    /// A pack as one block blob: its bytes are staged as blocks of at least 4 MiB while it is
    /// written (uncommitted blocks are invisible, and the service discards them after a week) and
    /// committed once, with <c>If-None-Match: *</c>, when it is sealed.
    /// </summary>
    public IPackUpload BeginPack(string key) => new BlockPackUpload(this, Blob(key).Name);

    private sealed class BlockPackUpload(AzureBlobStore store, string name) : IPackUpload
    {
        private const int BlockSize = 4 << 20;
        private readonly Azure.Storage.Blobs.Specialized.BlockBlobClient _blob = Azure.Storage.Blobs.Specialized.SpecializedBlobExtensions.GetBlockBlobClient(store._container, name);
        private readonly List<string> _blocks = [];
        private readonly MemoryStream _pending = new();

        public long Length { get; private set; }

        public async ValueTask AppendAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
        {
            _pending.Write(bytes.Span);
            Length += bytes.Length;
            if (_pending.Length >= BlockSize)
                await StageAsync(ct);
        }

        private async Task StageAsync(CancellationToken ct)
        {
            if (_pending.Length == 0)
                return;
            await store.EnsureContainerAsync(ct);
            var id = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(_blocks.Count.ToString("D8", System.Globalization.CultureInfo.InvariantCulture)));
            _pending.Position = 0;
            await _blob.StageBlockAsync(id, _pending, cancellationToken: ct);
            _blocks.Add(id);
            _pending.SetLength(0);
        }

        public async Task SealAsync(CancellationToken ct)
        {
            await StageAsync(ct);
            await _blob.CommitBlockListAsync(_blocks, new CommitBlockListOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/octet-stream" },
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            }, ct);
        }

        public ValueTask DisposeAsync() => _pending.DisposeAsync();
    }

    public async Task<long> DeleteIfStaleAsync(string key, DateTime cutoff, CancellationToken ct)
    {
        var blob = Blob(key);
        try
        {
            var properties = await blob.GetPropertiesAsync(cancellationToken: ct);
            if (properties.Value.LastModified.UtcDateTime > cutoff)
                return 0;
            // The condition makes the service refuse the delete if a writer touched the chunk
            // after we looked; the ETag pins it to the object we measured.
            await blob.DeleteAsync(DeleteSnapshotsOption.IncludeSnapshots, new BlobRequestConditions
            {
                IfUnmodifiedSince = new DateTimeOffset(DateTime.SpecifyKind(cutoff, DateTimeKind.Utc)),
                IfMatch = properties.Value.ETag,
            }, ct);
            return properties.Value.ContentLength;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return 0;
        }
    }

    public async IAsyncEnumerable<BlobStoreItem> ListAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await EnsureContainerAsync(ct);
        await foreach (var item in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = Prefix }, ct))
        {
            var key = item.Name[Prefix.Length..];
            if (StorageKeys.IsValid(key))
                yield return new BlobStoreItem(key, item.Properties.ContentLength ?? 0, item.Properties.LastModified?.UtcDateTime ?? DateTime.MinValue);
        }
    }

    public async Task CheckHealthAsync(CancellationToken ct)
    {
        await EnsureContainerAsync(ct);
        await _container.GetPropertiesAsync(cancellationToken: ct);
    }

    /// <summary>Creates the container on first use (retried on the next call when the service was unreachable).</summary>
    private async Task EnsureContainerAsync(CancellationToken ct)
    {
        if (_created)
            return;
        await _container.CreateIfNotExistsAsync(cancellationToken: ct);
        _created = true;
    }

    private BlobClient Blob(string key)
    {
        if (!StorageKeys.IsValid(key))
            throw new ArgumentException("Not a chunk key.", nameof(key));
        return _container.GetBlobClient(Prefix + key);
    }
}
