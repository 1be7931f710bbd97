using System.Buffers;
using System.Security.Cryptography;
using Catalyst.Data.Assets;
using Catalyst.Data.Common;
using Catalyst.Data.Configuration;
using Catalyst.Data.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Uploads;

/// <summary>
/// Resumable uploads (tus 1.0.0 semantics; the HTTP edge is in the Portal). Bytes are cut into
/// content-defined chunks as they arrive and written straight to the store, so every byte is
/// written to disk once and completing even a large upload costs little. Only the tail after
/// the last cut (less than one chunk) is kept in a staging file. A checkpoint — at the end of
/// each PATCH and every <see cref="UploadOptions.CheckpointBytes"/> during a long one — makes
/// the chunks durable, writes the tail to a new staging file named by its offset (fsync'ed),
/// and only then saves the offset; older tail files are removed after the save. After a crash
/// the saved offset is where the client resumes, and its tail file is there to continue from.
/// </summary>
public sealed class UploadService(
    CatalystDbContext db,
    ContentStore content,
    ChunkWriter writer,
    AssetService assets,
    CatalystPaths paths,
    IOptions<StorageOptions> options,
    UploadLocks locks,
    UploadHashes hashes,
    IEnumerable<IUploadCompletionHandler> handlers,
    TimeProvider time,
    ILogger<UploadService> logger)
{
    private const int BufferSize = 256 * 1024;

    private UploadOptions Limits => options.Value.Uploads;

    public async Task<Upload> CreateAsync(Actor actor, long length, string? metadataHeader, CancellationToken ct)
    {
        if (length < 0)
            throw ValidationFailedException.For("Upload-Length", "Upload-Length must be a non-negative integer.");
        if (length > Limits.MaxUploadBytes)
            throw new StatusDomainException(413, "upload_too_large", $"Uploads are limited to {Limits.MaxUploadBytes} bytes.");
        var metadata = UploadMetadata.Parse(metadataHeader);
        var target = metadata.GetValueOrDefault("target") ?? UploadTargets.Asset;
        var handler = handlers.FirstOrDefault(h => h.Target == target)
            ?? throw ValidationFailedException.For("target", $"Unknown upload target '{target}'.");

        var held = await assets.BytesHeldAsync(actor.UserId, ct) + await PendingBytesAsync(actor.UserId, ct);
        if (held + length > Limits.QuotaBytesPerUser)
            throw new StatusDomainException(413, "quota_exceeded",
                $"This upload would exceed your storage quota ({held} of {Limits.QuotaBytesPerUser} bytes used).");

        var now = Clock.UtcNow(time);
        var upload = new Upload
        {
            Id = Guid.CreateVersion7(),
            OwnerId = actor.UserId,
            Length = length,
            Metadata = metadataHeader,
            FileName = AssetRules.CleanFileName(metadata.GetValueOrDefault("filename") ?? metadata.GetValueOrDefault("name")),
            MediaType = AssetRules.CleanMediaType(metadata.GetValueOrDefault("filetype") ?? metadata.GetValueOrDefault("type")),
            Target = target,
            IfMatch = metadata.GetValueOrDefault("ifMatch"),
            ExpiresAt = now + Limits.Expiration,
        };
        await handler.ValidateAsync(actor, upload, metadata, ct);
        db.Set<Upload>().Add(upload);
        await db.SaveChangesAsync(ct);

        if (length == 0)
        {
            await using var ingest = new ChunkIngest(writer, 0);
            await CompleteAsync(upload, ingest, IncrementalHash.CreateHash(HashAlgorithmName.SHA256), ct);
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
            throw new StatusDomainException(410, "upload_expired", "The upload expired before it was finished.");
        return upload;
    }

    /// <summary>
    /// Appends the body at <paramref name="offset"/>. A dropped connection keeps every byte
    /// received (unless a checksum was announced: then the whole PATCH is discarded); a checksum
    /// mismatch discards the PATCH and answers 460.
    /// </summary>
    public async Task<Upload> AppendAsync(Actor actor, Guid id, long offset, Stream body, UploadChecksum? checksum, CancellationToken ct)
    {
        using var lease = locks.TryAcquire(id)
            ?? throw new StatusDomainException(423, "upload_locked", "Another request is writing to this upload; retry shortly.");
        var upload = await db.Set<Upload>().FirstOrDefaultAsync(u => u.Id == id, ct);
        if (upload is null || !actor.CanAccess(upload.OwnerId))
            throw new NotFoundException("Upload");
        if (upload.IsComplete)
        {
            if (offset == upload.Length)
                return upload;
            throw new StatusDomainException(409, "offset_mismatch", $"The upload is complete at offset {upload.Length}.");
        }
        if (upload.ExpiresAt <= Clock.UtcNow(time))
            throw new StatusDomainException(410, "upload_expired", "The upload expired before it was finished.");
        if (offset != upload.Offset)
            throw new StatusDomainException(409, "offset_mismatch", $"Upload-Offset must be {upload.Offset}.");

        var start = upload.Offset;
        await using var ingest = new ChunkIngest(writer, upload.ChunkedOffset);
        await ingest.AppendAsync(await ReadTailAsync(upload, ct), ct);
        var savedChunks = await db.Set<UploadChunk>().CountAsync(c => c.UploadId == id, ct);

        var hash = hashes.Take(id, start) ?? (start == 0 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null);
        using var checksumHash = checksum?.CreateHash();
        var remaining = upload.Length - start;
        long received = 0, sinceCheckpoint = 0;
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
                    throw new StatusDomainException(413, "exceeds_upload_length", $"The upload is {upload.Length} bytes; this PATCH goes beyond it.");
                }
                hash?.AppendData(buffer, 0, read);
                checksumHash?.AppendData(buffer, 0, read);
                await ingest.AppendAsync(buffer.AsMemory(0, read), CancellationToken.None);
                received += read;
                sinceCheckpoint += read;
                if (checksum is null && sinceCheckpoint >= Limits.CheckpointBytes)
                {
                    savedChunks = await CheckpointAsync(upload, ingest, savedChunks, start + received);
                    sinceCheckpoint = 0;
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
            throw new StatusDomainException(460, "checksum_mismatch", "The checksum of the received bytes does not match Upload-Checksum.");
        }

        await CheckpointAsync(upload, ingest, savedChunks, start + received);
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
        using var lease = locks.TryAcquire(id)
            ?? throw new StatusDomainException(423, "upload_locked", "Another request is writing to this upload; retry shortly.");
        var upload = await db.Set<Upload>().FirstOrDefaultAsync(u => u.Id == id, ct);
        if (upload is null || !actor.CanAccess(upload.OwnerId))
            throw new NotFoundException("Upload");
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
            using var lease = locks.TryAcquire(upload.Id);
            if (lease is null)
                continue; // being written right now
            await RemoveAsync(upload, ct);
            removed++;
        }
        return removed;
    }

    /// <summary>The staging file holding the bytes after the last cut, for the upload at <paramref name="offset"/>.</summary>
    public string TailPath(Guid id, long offset) => Path.Combine(paths.Uploads, $"{id:N}-{offset}.tail");

    private async Task RemoveAsync(Upload upload, CancellationToken ct)
    {
        db.Set<Upload>().Remove(upload); // its UploadChunk rows go with it (cascade)
        await db.SaveChangesAsync(ct);
        hashes.Remove(upload.Id);
        DeleteTails(upload.Id, keepOffset: null);
    }

    private async Task<long> PendingBytesAsync(Guid ownerId, CancellationToken ct)
    {
        var now = Clock.UtcNow(time);
        return await db.Set<Upload>().Where(u => u.OwnerId == ownerId && u.CompletedAt == null && u.ExpiresAt > now)
            .SumAsync(u => (long?)u.Length, ct) ?? 0;
    }

    /// <summary>Makes everything received so far durable and records the new offset.</summary>
    private async Task<int> CheckpointAsync(Upload upload, ChunkIngest ingest, int savedChunks, long offset)
    {
        await ingest.FlushAsync(CancellationToken.None);
        if (offset != ingest.ChunkedOffset + ingest.Tail.Length)
            throw new InvalidOperationException($"Upload {upload.Id}: offset {offset} does not match chunked {ingest.ChunkedOffset} + tail {ingest.Tail.Length}.");
        await WriteTailAsync(upload.Id, offset, ingest.Tail.ToArray());
        var chunks = ingest.Chunks;
        for (var i = 0; i < chunks.Count; i++)
        {
            var ordinal = savedChunks + i;
            db.Set<UploadChunk>().Add(new UploadChunk { UploadId = upload.Id, Ordinal = ordinal, ChunkSha256 = chunks[i].Sha256, Offset = chunks[i].Offset, Length = chunks[i].Length });
        }
        var previous = upload.Offset;
        upload.Offset = offset;
        upload.ChunkedOffset = ingest.ChunkedOffset;
        upload.ExpiresAt = Clock.UtcNow(time) + Limits.Expiration;
        await db.SaveChangesAsync(CancellationToken.None);
        if (previous != offset)
            DeleteTails(upload.Id, keepOffset: offset);
        var saved = savedChunks + chunks.Count;
        ingest.ForgetChunks();
        return saved;
    }

    private async Task WriteTailAsync(Guid id, long offset, byte[] tail)
    {
        var path = TailPath(id, offset);
        var temp = path + ".tmp";
        await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1))
        {
            await file.WriteAsync(tail);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    private async Task<byte[]> ReadTailAsync(Upload upload, CancellationToken ct)
    {
        var expected = upload.Offset - upload.ChunkedOffset;
        if (expected == 0)
            return [];
        var tail = await File.ReadAllBytesAsync(TailPath(upload.Id, upload.Offset), ct);
        if (tail.Length != expected)
            throw new InvalidDataException($"Upload {upload.Id}: the staged tail is {tail.Length} bytes, expected {expected}.");
        return tail;
    }

    private void DeleteTails(Guid id, long? keepOffset)
    {
        foreach (var file in Directory.EnumerateFiles(paths.Uploads, $"{id:N}-*"))
        {
            if (keepOffset is { } keep && Path.GetFileName(file) == Path.GetFileName(TailPath(id, keep)))
                continue;
            File.Delete(file);
        }
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
        var prepared = await handler.PrepareAsync(upload, blob, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var result = await handler.CompleteAsync(upload, blob, prepared, ct);
        upload.CompletedAt = Clock.UtcNow(time);
        upload.BlobSha256 = sha;
        upload.Result = result;
        upload.Offset = upload.Length;
        upload.ChunkedOffset = upload.Length;
        await db.SaveChangesAsync(ct);
        // The blob now holds the chunks; the upload's own protective references can go.
        await db.Set<UploadChunk>().Where(c => c.UploadId == upload.Id).ExecuteDeleteAsync(ct);
        await tx.CommitAsync(ct);
        hashes.Remove(upload.Id);
        DeleteTails(upload.Id, keepOffset: null);
    }

    private static bool IsClientGone(Exception ex) =>
        ex is IOException or OperationCanceledException or BadHttpRequestException;
}
