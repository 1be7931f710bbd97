using System.Buffers;
using System.Security.Cryptography;
using Catalyst.Data.Common;
using Catalyst.Data.Configuration;
using Catalyst.Data.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Uploads;

/// <summary>
/// Resumable uploads (tus 1.0.0 semantics; the protocol itself, its headers and statuses, is the
/// Portal's: this service takes typed requests and raises domain errors). Bytes are cut into
/// content-defined chunks as they arrive and written straight to the store, so every byte is
/// written once and completing even a large upload costs little. Only the tail after the last
/// cut (less than one chunk) is staged, in the upload's own row. A checkpoint — at the end of
/// each PATCH and every <see cref="UploadOptions.CheckpointBytes"/> during a long one — makes
/// the chunks durable, then saves the offset, the chunk list and the tail in one transaction.
/// After a crash the saved offset is where the client resumes. Nothing lives on one instance's
/// disk, so with a shared database and blob store any Portal instance can take an upload over;
/// a lease in the row (<see cref="Upload.LeaseId"/>) lets only one request write at a time.
/// </summary>
public sealed class UploadService(
    CatalystDbContext db,
    ContentStore content,
    ChunkWriter writer,
    StorageQuota quota,
    IOptions<StorageOptions> options,
    UploadLocks locks,
    UploadHashes hashes,
    IEnumerable<IUploadCompletionHandler> handlers,
    TimeProvider time,
    ILogger<UploadService> logger)
{
    private const int BufferSize = 256 * 1024;

    private UploadOptions Limits => options.Value.Uploads;

    public async Task<Upload> CreateAsync(Actor actor, UploadCreation request, CancellationToken ct)
    {
        var length = request.Length;
        if (length < 0)
            throw ValidationFailedException.For("length", "The upload length must be a non-negative integer.");
        if (length > Limits.MaxUploadBytes)
            throw new TooLargeException("upload_too_large", $"Uploads are limited to {Limits.MaxUploadBytes} bytes.");
        if (request.EchoedMetadata is { Length: > Upload.MaxMetadataLength })
            throw ValidationFailedException.For("metadata", $"The upload's metadata must be at most {Upload.MaxMetadataLength} characters.");
        var metadata = request.Metadata;
        // The file name becomes the asset's name: refused here, at creation, rather than cleaned later.
        foreach (var key in UploadCreation.FileNameKeys)
            FileRules.ValidFileName(metadata.GetValueOrDefault(key), key);
        var target = metadata.GetValueOrDefault("target") ?? UploadTargets.Asset;
        var handler = handlers.FirstOrDefault(h => h.Target == target)
            ?? throw ValidationFailedException.For("target", $"Unknown upload target '{target}'.");

        var now = Clock.UtcNow(time);
        var upload = new Upload
        {
            Id = Guid.CreateVersion7(),
            OwnerId = actor.UserId,
            Length = length,
            Metadata = request.EchoedMetadata,
            FileName = FileRules.CleanFileName(metadata.GetValueOrDefault("filename") ?? metadata.GetValueOrDefault("name")),
            MediaType = FileRules.CleanMediaType(metadata.GetValueOrDefault("filetype") ?? metadata.GetValueOrDefault("type")),
            Target = target,
            IfMatch = metadata.GetValueOrDefault("ifMatch"),
            ExpiresAt = now + Limits.Expiration,
        };
        await handler.ValidateAsync(actor, upload, metadata, ct);
        // The declared length is charged with the row: of concurrent creations only those that fit are admitted,
        // and a refused one leaves nothing behind.
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await quota.ChargeAsync(upload.OwnerId, length, ct);
            db.Set<Upload>().Add(upload);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }

        if (length == 0)
        {
            await using var ingest = new ChunkIngest(writer, 0);
#pragma warning disable CA2000 // CompleteAsync owns the hash and disposes it.
            await CompleteAsync(upload, ingest, IncrementalHash.CreateHash(HashAlgorithmName.SHA256), ct);
#pragma warning restore CA2000
        }
        return upload;
    }

    /// <summary>The upload for HEAD: 404 when unknown or not the actor's, 410 when it expired unfinished.</summary>
    public async Task<Upload> GetAsync(Actor actor, Guid id, CancellationToken ct)
    {
        var upload = await db.Set<Upload>().AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct);
        if (upload is null || !actor.CanAccess(upload.OwnerId))
            throw new NotFoundException("Upload");
        if (!upload.IsComplete && upload.ExpiresAt <= Clock.UtcNow(time))
            throw Expired();
        return upload;
    }

    /// <summary>
    /// Appends the body at the request's offset. A dropped connection (the body throws an
    /// <see cref="IOException"/> or is canceled) keeps every byte received, unless a checksum was
    /// announced: then the whole append is discarded, as it is on a checksum mismatch
    /// (<see cref="ChecksumMismatchException"/>).
    /// </summary>
    public async Task<Upload> AppendAsync(Actor actor, Guid id, UploadAppend request, CancellationToken ct)
    {
        var (offset, body, checksum) = request;
        using var local = locks.TryAcquire(id) ?? throw Locked();
        var upload = await db.Set<Upload>().AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct);
        if (upload is null || !actor.CanAccess(upload.OwnerId))
            throw new NotFoundException("Upload");
        if (upload.IsComplete)
        {
            if (offset == upload.Length)
                return upload;
            throw new ConflictException("offset_mismatch", $"The upload is complete at offset {upload.Length}.");
        }
        var leaseId = Guid.NewGuid();
        if (!await TakeLeaseAsync(id, leaseId, ct))
            throw Locked();
        try
        {
            return await AppendLockedAsync(id, leaseId, offset, body, checksum, ct);
        }
        finally
        {
            await db.Set<Upload>().Where(u => u.Id == id && u.LeaseId == leaseId)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.LeaseId, (Guid?)null).SetProperty(u => u.LeaseExpiresAt, (DateTime?)null), CancellationToken.None);
        }
    }

    /// <summary>
    /// How long a writer's lease lasts without renewal. A request renews it while bytes arrive,
    /// so it only runs out when the writing process died or its client stalled; then the next
    /// PATCH (on any instance) takes the upload over from the last durable offset.
    /// </summary>
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(10);

    private static LockedException Locked() =>
        new("upload_locked", "Another request is writing to this upload; retry shortly.", LeaseDuration / 5);

    private static GoneException Expired() => new("upload_expired", "The upload expired before it was finished.");

    /// <summary>Takes the upload's lease if no live request holds it (on any instance).</summary>
    private async Task<bool> TakeLeaseAsync(Guid id, Guid leaseId, CancellationToken ct)
    {
        var now = Clock.UtcNow(time);
        return await db.Set<Upload>().Where(u => u.Id == id && (u.LeaseId == null || u.LeaseExpiresAt < now))
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.LeaseId, leaseId).SetProperty(u => u.LeaseExpiresAt, now + LeaseDuration), ct) == 1;
    }

    /// <summary>Extends the lease; false when another request took it over (this one stalled past the lease).</summary>
    private async Task<bool> RenewLeaseAsync(Guid id, Guid leaseId) =>
        await db.Set<Upload>().Where(u => u.Id == id && u.LeaseId == leaseId)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.LeaseExpiresAt, Clock.UtcNow(time) + LeaseDuration)) == 1;

    private async Task<Upload> AppendLockedAsync(Guid id, Guid leaseId, long offset, Stream body, UploadChecksum? checksum, CancellationToken ct)
    {
        var upload = await db.Set<Upload>().FirstAsync(u => u.Id == id, ct);
        if (upload.ExpiresAt <= Clock.UtcNow(time))
            throw Expired();
        if (offset != upload.Offset)
            throw new ConflictException("offset_mismatch", $"The upload is at offset {upload.Offset}; append from there.");

        var start = upload.Offset;
        await using var ingest = new ChunkIngest(writer, upload.ChunkedOffset);
        await ingest.AppendAsync(ReadTail(upload), ct);
        var savedChunks = await db.Set<UploadChunk>().CountAsync(c => c.UploadId == id, ct);

#pragma warning disable CA2000 // The running hash outlives this call: it is parked in UploadHashes or handed to CompleteAsync, and disposed on failure below.
        var hash = hashes.Take(id, start) ?? (start == 0 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null);
#pragma warning restore CA2000
        using var checksumHash = checksum?.CreateHash();
        var remaining = upload.Length - start;
        long received = 0, sinceCheckpoint = 0;
        var lastRenewal = DateTime.UtcNow;
        var interrupted = false;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await body.ReadAsync(buffer.AsMemory(0, BufferSize), ct);
                }
                catch (Exception ex) when (IsClientGone(ex))
                {
                    interrupted = true;
                    break;
                }
                if (read == 0)
                    break;
                if (received + read > remaining)
                {
                    hash?.Dispose();
                    throw new TooLargeException("exceeds_upload_length", $"The upload is {upload.Length} bytes; these bytes go beyond it.");
                }
                hash?.AppendData(buffer, 0, read);
                checksumHash?.AppendData(buffer, 0, read);
                await ingest.AppendAsync(buffer.AsMemory(0, read), CancellationToken.None);
                received += read;
                sinceCheckpoint += read;
                if (checksum is null && sinceCheckpoint >= Limits.CheckpointBytes)
                {
                    savedChunks = await CheckpointAsync(upload, leaseId, ingest, savedChunks, start + received);
                    sinceCheckpoint = 0;
                }
                else if (DateTime.UtcNow - lastRenewal > LeaseDuration / 3)
                {
                    if (!await RenewLeaseAsync(id, leaseId))
                        throw Locked();
                    lastRenewal = DateTime.UtcNow;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (checksumHash is not null && (interrupted || !CryptographicOperations.FixedTimeEquals(checksumHash.GetHashAndReset(), checksum!.Digest)))
        {
            // Unverifiable or wrong: none of this PATCH's bytes count (chunks it wrote are left to garbage collection).
            hash?.Dispose();
            if (interrupted)
                throw new OperationCanceledException("The client went away during a checksummed PATCH.");
            throw new ChecksumMismatchException("The checksum of the received bytes does not match the announced one; none of them were kept.");
        }

        await CheckpointAsync(upload, leaseId, ingest, savedChunks, start + received);
        logger.LogDebug("Upload {UploadId}: {Received} bytes at {Offset}, now {NewOffset}/{Length}", id, received, start, upload.Offset, upload.Length);

        if (upload.Offset == upload.Length && !interrupted)
        {
            await CompleteAsync(upload, ingest, hash, CancellationToken.None);
        }
        else if (hash is not null)
        {
            hashes.Put(id, hash, upload.Offset);
        }
        if (interrupted)
            throw new OperationCanceledException("The client went away; the bytes received were kept.");
        return upload;
    }

    /// <summary>Terminates an upload: an unfinished one loses its staging bytes; a completed one only its record (the asset stays).</summary>
    public async Task TerminateAsync(Actor actor, Guid id, CancellationToken ct)
    {
        using var local = locks.TryAcquire(id) ?? throw Locked();
        var upload = await db.Set<Upload>().FirstOrDefaultAsync(u => u.Id == id, ct);
        if (upload is null || !actor.CanAccess(upload.OwnerId))
            throw new NotFoundException("Upload");
        if (upload.LeaseId is not null && upload.LeaseExpiresAt > Clock.UtcNow(time))
            throw Locked();
        await RemoveAsync(upload, ct);
    }

    /// <summary>Removes unfinished uploads past their expiry and completed upload records older than the expiry period.</summary>
    public async Task<int> CleanupExpiredAsync(CancellationToken ct)
    {
        var now = Clock.UtcNow(time);
        var completedBefore = now - Limits.Expiration;
        var expired = await db.Set<Upload>()
            .Where(u => (u.CompletedAt == null && u.ExpiresAt <= now) || (u.CompletedAt != null && u.CompletedAt <= completedBefore))
            .OrderBy(u => u.ExpiresAt).Take(1000).ToListAsync(ct);
        var removed = 0;
        foreach (var upload in expired)
        {
#pragma warning disable CA2000 // Disposed by the using; the analyzer does not follow the null check.
            using var local = locks.TryAcquire(upload.Id);
#pragma warning restore CA2000
            if (local is null || (upload.LeaseId is not null && upload.LeaseExpiresAt > now))
                continue; // being written right now
            await RemoveAsync(upload, ct);
            removed++;
        }
        return removed;
    }


    /// <summary>Removes the upload's record; an unfinished one gives its declared length back to the quota.</summary>
    private async Task RemoveAsync(Upload upload, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Only the transaction that really deletes the row gives its charge back (a concurrent cleanup may race).
        var removed = await db.Set<Upload>().Where(u => u.Id == upload.Id).ExecuteDeleteAsync(ct); // its UploadChunk rows go with it (cascade)
        if (removed == 1 && upload.CompletedAt is null)
            await quota.ReleaseAsync(upload.OwnerId, upload.Length, ct);
        await tx.CommitAsync(ct);
        db.Entry(upload).State = EntityState.Detached;
        hashes.Remove(upload.Id);
    }

    /// <summary>Makes everything received so far durable and records the new offset.</summary>
    private async Task<int> CheckpointAsync(Upload upload, Guid leaseId, ChunkIngest ingest, int savedChunks, long offset)
    {
        await ingest.FlushAsync(CancellationToken.None);
        if (offset != ingest.ChunkedOffset + ingest.Tail.Length)
            throw new InvalidOperationException($"Upload {upload.Id}: offset {offset} does not match chunked {ingest.ChunkedOffset} + tail {ingest.Tail.Length}.");
        var chunks = ingest.Chunks;
        upload.Offset = offset;
        upload.ChunkedOffset = ingest.ChunkedOffset;
        upload.Tail = ingest.Tail.ToArray();
        upload.ExpiresAt = Clock.UtcNow(time) + Limits.Expiration;
        upload.LeaseExpiresAt = Clock.UtcNow(time) + LeaseDuration;
        await using (var tx = await db.Database.BeginTransactionAsync(CancellationToken.None))
        {
            // Only the lease holder may move the offset (another instance may have taken over a stalled request).
            if (!await RenewLeaseAsync(upload.Id, leaseId))
                throw Locked();
            await BulkInsert.InsertAsync(db, chunks.Select((c, i) => new UploadChunk
            {
                UploadId = upload.Id, Ordinal = savedChunks + i, ChunkSha256 = c.Sha256, Offset = c.Offset, Length = c.Length,
            }).ToList(), CancellationToken.None);
            await db.SaveChangesAsync(CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
        }
        var saved = savedChunks + chunks.Count;
        ingest.ForgetChunks();
        return saved;
    }

    private static byte[] ReadTail(Upload upload)
    {
        var expected = upload.Offset - upload.ChunkedOffset;
        var tail = upload.Tail ?? [];
        if (tail.Length != expected)
            throw new InvalidDataException($"Upload {upload.Id}: the staged tail is {tail.Length} bytes, expected {expected}.");
        return tail;
    }

    private async Task CompleteAsync(Upload upload, ChunkIngest ingest, IncrementalHash? hash, CancellationToken ct)
    {
        await ingest.CompleteAsync(ct);
        var chunks = await db.Set<UploadChunk>().AsNoTracking().Where(c => c.UploadId == upload.Id).OrderBy(c => c.Ordinal)
            .Select(c => new ChunkRef(c.ChunkSha256, c.Offset, c.Length)).ToListAsync(ct);
        chunks.AddRange(ingest.Chunks);
        if (chunks.Sum(c => (long)c.Length) != upload.Length)
            throw new InvalidOperationException($"Upload {upload.Id}: chunks cover {chunks.Sum(c => (long)c.Length)} of {upload.Length} bytes.");

        string sha;
        if (hash is not null)
        {
            sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            hash.Dispose();
        }
        else
        {
            // This process did not see every byte (a restart, or another instance): hash the chunks.
            await using var stored = content.OpenChunks(upload.Length, chunks);
            sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(stored, ct));
        }

        var handler = handlers.First(h => h.Target == upload.Target);
        var blob = new BlobInfo(sha, upload.Length);
        await content.EnsureBlobAsync(sha, upload.Length, chunks, ct);
        object? prepared;
        try
        {
            prepared = await handler.PrepareAsync(upload, blob, ct);
        }
        catch (DomainException)
        {
            await RemoveAsync(upload, CancellationToken.None); // e.g. a website-data document that is not valid JSON
            throw;
        }
        string? result;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            // The upload's charge becomes the charge of what it completes into (the handler charges that).
            await quota.ReleaseAsync(upload.OwnerId, upload.Length, ct);
            result = await handler.CompleteAsync(upload, blob, prepared, ct);
        }
        catch (DomainException)
        {
            // Refused by a rule (its target was deleted, the quota is full): the bytes are final, so it can
            // never succeed; discard it rather than hold its staging and quota until it expires.
            await tx.RollbackAsync(CancellationToken.None);
            db.ChangeTracker.Clear();
            await RemoveAsync(upload, CancellationToken.None);
            throw;
        }
        upload.CompletedAt = Clock.UtcNow(time);
        upload.Tail = null;
        upload.BlobSha256 = sha;
        upload.Result = result;
        upload.Offset = upload.Length;
        upload.ChunkedOffset = upload.Length;
        await db.SaveChangesAsync(ct);
        // The blob now holds the chunks; the upload's own protective references can go.
        await db.Set<UploadChunk>().Where(c => c.UploadId == upload.Id).ExecuteDeleteAsync(ct);
        await tx.CommitAsync(ct);
        hashes.Remove(upload.Id);
    }

    /// <summary>How a body reports that its sender went away (the Portal reports a cut HTTP body as an <see cref="IOException"/>).</summary>
    private static bool IsClientGone(Exception ex) =>
        ex is IOException or OperationCanceledException;
}
