namespace Catalyst.Data.Storage;

/// <summary>A chunk's stored bytes wherever they are: in its pack, or in its loose object.</summary>
public static class StoredBytes
{
    /// <summary>The bytes as stored (still encoded with the chunk's codec), or null when they are missing.</summary>
    public static async Task<byte[]?> ReadAsync(IBlobStore store, StoredChunk chunk, CancellationToken ct)
    {
        if (chunk.PackId is null)
            return await store.ReadAsync(StorageKeys.For(chunk.Sha256, chunk.Codec), ct);
        var buffer = new byte[chunk.StoredLength];
        var read = await store.ReadRangeAsync(StorageKeys.Pack(chunk.PackId), chunk.PackOffset, buffer, ct);
        return read == chunk.StoredLength ? buffer : null;
    }

    /// <summary>The object that holds the chunk's bytes (its pack, or its loose object).</summary>
    public static string KeyOf(StoredChunk chunk) =>
        chunk.PackId is null ? StorageKeys.For(chunk.Sha256, chunk.Codec) : StorageKeys.Pack(chunk.PackId);
}
