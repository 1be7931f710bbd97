using System.Buffers;
using System.Security.Cryptography;
using Catalyst.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Storage;

public sealed record BlobInfo(string Sha256, long Length);

/// <summary>
/// The content-addressable store (SPEC §6) as the rest of Catalyst uses it: write a stream and
/// get its SHA-256, hold it with a reference row, read it back as a seekable stream. Payloads
/// are chunked (<see cref="ContentChunker"/>), each chunk stored once (<see cref="ChunkWriter"/>),
/// and a blob is its ordered chunk list (<see cref="BlobChunk"/>), so equal payloads and the
/// unchanged parts of edited ones cost nothing extra.
/// </summary>
public sealed class ContentStore(CatalystDbContext db, ChunkWriter writer, IBlobStore store, BlobIndexCache indexes, ChunkLocator locator, StorageQuota quota, TimeProvider time)
{
    private const int ReadBufferSize = 1 << 20;

    /// <summary>
    /// Stores <paramref name="content"/> and returns its identity. The blob is unreferenced until
    /// the caller adds a reference (within the garbage-collection grace period).
    /// </summary>
    public async Task<BlobInfo> WriteAsync(Stream content, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var ingest = new ChunkIngest(writer, 0);
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
        long length = 0;
        try
        {
            int read;
            while ((read = await content.ReadAsync(buffer.AsMemory(0, ReadBufferSize), ct)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await ingest.AppendAsync(buffer.AsMemory(0, read), ct);
                length += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        await ingest.CompleteAsync(ct);
        var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
        await EnsureBlobAsync(sha, length, ingest.Chunks, ct);
        return new BlobInfo(sha, length);
    }

    /// <summary>
    /// A blob written by pushing bytes (or through <see cref="BlobWriter.Stream"/>) instead of
    /// handing over a stream to read; at most <paramref name="bufferedBytes"/> wait between the
    /// producer and the store. The caller ends it with <see cref="BlobWriter.CompleteAsync"/>; one
    /// disposed before that is aborted and stores nothing.
    /// </summary>
    public BlobWriter OpenWriter(long bufferedBytes, CancellationToken ct) => new(this, bufferedBytes, ct);

    /// <summary>
    /// Records the blob made of <paramref name="chunks"/> (already durable), or refreshes it when
    /// it exists, so garbage collection spares it until a reference is added.
    /// </summary>
    public async Task EnsureBlobAsync(string sha256, long length, IReadOnlyList<ChunkRef> chunks, CancellationToken ct)
    {
        var now = Clock.UtcNow(time);
        if (await db.Set<StoredBlob>().Where(b => b.Sha256 == sha256).ExecuteUpdateAsync(s => s.SetProperty(b => b.LastUsedAt, now), ct) > 0)
            return;
        var blob = new StoredBlob { Sha256 = sha256, Length = length, ChunkCount = chunks.Count, CreatedAt = now, LastUsedAt = now };
        var rows = chunks.Select((c, i) => new BlobChunk { BlobSha256 = sha256, Ordinal = i, ChunkSha256 = c.Sha256, Offset = c.Offset, Length = c.Length }).ToList();
        // The same blob written by two requests at once: the second insert fails and finds the first.
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        try
        {
            await BulkInsert.InsertAsync(db, [blob], ct);
            await BulkInsert.InsertAsync(db, rows, ct);
            if (tx is not null)
                await tx.CommitAsync(ct);
        }
        catch (System.Data.Common.DbException) when (tx is not null)
        {
            await tx.RollbackAsync(ct);
            if (await db.Set<StoredBlob>().Where(b => b.Sha256 == sha256).ExecuteUpdateAsync(s => s.SetProperty(b => b.LastUsedAt, now), ct) == 0)
                throw;
        }
    }

    /// <summary>
    /// Adds a reference row (saved with the caller's unit of work) and counts it on the blob. With
    /// <paramref name="chargeTo"/>, the blob's length counts against that user's quota, in the
    /// caller's transaction (<see cref="QuotaExceededException"/> when it does not fit); every
    /// caller says whom the bytes belong to, or null for bytes no user is charged for.
    /// </summary>
    public async Task AddReferenceAsync(string sha256, string ownerType, string ownerId, Guid? chargeTo, CancellationToken ct)
    {
        var now = Clock.UtcNow(time);
        long charged = 0;
        // The charge comes first: refused, it leaves nothing changed, and the caller's transaction goes on.
        if (chargeTo is { } user)
        {
            charged = await db.Set<StoredBlob>().Where(b => b.Sha256 == sha256).Select(b => (long?)b.Length).FirstOrDefaultAsync(ct)
                ?? throw new InvalidOperationException($"Blob {sha256} does not exist; write it before referencing it.");
            await quota.ChargeAsync(user, charged, ct);
        }
        var counted = await db.Set<StoredBlob>().Where(b => b.Sha256 == sha256)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.ReferenceCount, b => b.ReferenceCount + 1).SetProperty(b => b.LastUsedAt, now), ct);
        if (counted == 0)
            throw new InvalidOperationException($"Blob {sha256} does not exist; write it before referencing it.");
        db.Set<BlobReference>().Add(new BlobReference
        {
            Id = Guid.CreateVersion7(), BlobSha256 = sha256, OwnerType = ownerType, OwnerId = ownerId, CreatedAt = now,
            ChargedUserId = chargeTo, ChargedBytes = charged,
        });
    }

    /// <summary>Drops the owner's references (giving back what they charged); blobs left without any become garbage after the grace period.</summary>
    public Task RemoveReferencesAsync(string ownerType, string ownerId, CancellationToken ct) =>
        RemoveReferencesAsync(db, time, ownerType, ownerId, ct);

    /// <summary>The same, for services that hold only the DbContext (references never touch blob bytes).</summary>
    public static async Task RemoveReferencesAsync(CatalystDbContext db, TimeProvider time, string ownerType, string ownerId, CancellationToken ct)
    {
        var now = Clock.UtcNow(time);
        var held = await db.Set<BlobReference>().Where(r => r.OwnerType == ownerType && r.OwnerId == ownerId).ToListAsync(ct);
        foreach (var reference in held)
        {
            await db.Set<StoredBlob>().Where(b => b.Sha256 == reference.BlobSha256)
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.ReferenceCount, b => b.ReferenceCount > 0 ? b.ReferenceCount - 1 : 0).SetProperty(b => b.LastUsedAt, now), ct);
            if (reference.ChargedUserId is { } user)
                await StorageQuota.ReleaseAsync(db, time, user, reference.ChargedBytes, ct);
            db.Set<BlobReference>().Remove(reference);
        }
    }

    /// <summary>Drops every reference whose owner id starts with <paramref name="ownerPrefix"/> (e.g. all versions of a website).</summary>
    public async Task RemoveReferencesByPrefixAsync(string ownerType, string ownerPrefix, CancellationToken ct)
    {
        var held = await db.Set<BlobReference>().Where(r => r.OwnerType == ownerType && r.OwnerId.StartsWith(ownerPrefix))
            .Select(r => r.OwnerId).ToListAsync(ct);
        foreach (var ownerId in held)
            await RemoveReferencesAsync(ownerType, ownerId, ct);
    }

    /// <summary>A seekable read-only stream over the blob, or null when it does not exist.</summary>
    public async Task<Stream?> OpenReadAsync(string sha256, CancellationToken ct)
    {
        // A blob never changes once written, so its chunk index can be cached (bounded) across reads.
        if (indexes.TryGet(sha256, out var cached))
            return new BlobReadStream(store, cached.Length, cached.Segments, locator);
        var blob = await db.Set<StoredBlob>().AsNoTracking().FirstOrDefaultAsync(b => b.Sha256 == sha256, ct);
        if (blob is null)
            return null;
        var chunks = await db.Set<BlobChunk>().AsNoTracking().Where(c => c.BlobSha256 == sha256).OrderBy(c => c.Ordinal)
            .Join(db.Set<StoredChunk>(), b => b.ChunkSha256, c => c.Sha256,
                (b, c) => new BlobReadStream.Segment(b.ChunkSha256, b.Offset, b.Length, c.Codec, c.StoredLength, c.PackId, c.PackOffset))
            .ToListAsync(ct);
        indexes.Set(sha256, blob.Length, chunks);
        return new BlobReadStream(store, blob.Length, chunks, locator);
    }

    /// <summary>A stream over chunks that are not (yet) a blob, e.g. an upload's, to hash them.</summary>
    public Stream OpenChunks(long length, IReadOnlyList<ChunkRef> chunks)
    {
        var keys = chunks.Select(c => c.Sha256).Distinct().ToList();
        var stored = db.Set<StoredChunk>().AsNoTracking().Where(c => keys.Contains(c.Sha256)).ToDictionary(c => c.Sha256);
        return new BlobReadStream(store, length, chunks.Select(c =>
        {
            var row = stored[c.Sha256];
            return new BlobReadStream.Segment(c.Sha256, c.Offset, c.Length, row.Codec, row.StoredLength, row.PackId, row.PackOffset);
        }).ToList(), locator);
    }

    public Task<bool> ExistsAsync(string sha256, CancellationToken ct) => db.Set<StoredBlob>().AnyAsync(b => b.Sha256 == sha256, ct);
}
