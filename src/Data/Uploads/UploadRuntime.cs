using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Catalyst.Data.Uploads;

/// <summary>
/// One request at a time per upload, in this process. A second PATCH while the first still runs
/// is refused (423, which tus clients retry); a dropped connection ends its request and so
/// releases the lock at once.
/// </summary>
public sealed class UploadLocks
{
    private readonly ConcurrentDictionary<Guid, bool> _held = new();

    public IDisposable? TryAcquire(Guid uploadId) =>
        _held.TryAdd(uploadId, true) ? new Lease(this, uploadId) : null;

    private sealed class Lease(UploadLocks owner, Guid id) : IDisposable
    {
        private int _released;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                owner._held.TryRemove(id, out _);
        }
    }
}

/// <summary>
/// The running SHA-256 of uploads in progress, so completing a large upload does not re-read it.
/// Only an optimisation: after a restart (or a PATCH handled elsewhere) the staging file is hashed again.
/// </summary>
public sealed class UploadHashes
{
    private readonly ConcurrentDictionary<Guid, (IncrementalHash Hash, long Offset)> _hashes = new();

    /// <summary>The running hash if it covers exactly the first <paramref name="offset"/> bytes.</summary>
    public IncrementalHash? Take(Guid uploadId, long offset)
    {
        if (!_hashes.TryRemove(uploadId, out var entry))
            return null;
        if (entry.Offset == offset)
            return entry.Hash;
        entry.Hash.Dispose();
        return null;
    }

    public void Put(Guid uploadId, IncrementalHash hash, long offset)
    {
        if (!_hashes.TryAdd(uploadId, (hash, offset)))
            hash.Dispose();
    }

    public void Remove(Guid uploadId)
    {
        if (_hashes.TryRemove(uploadId, out var entry))
            entry.Hash.Dispose();
    }
}
