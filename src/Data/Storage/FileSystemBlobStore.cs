using System.Runtime.CompilerServices;

namespace Catalyst.Data.Storage;

/// <summary>
/// Packs as files under <c>&lt;data&gt;/blobs/packs/ab/pack-abcd…</c>, and loose chunks (the layout
/// before packs) as files under <c>&lt;data&gt;/blobs/ab/abcd…</c> (one level of 256 folders: a second
/// level would mean a new folder for nearly every chunk of a young store). Writes go to a temporary file in the
/// same directory and are renamed into place, so a crash leaves no partial chunk under its name.
/// Deletion renames the file aside first and only removes it if it was not touched after the
/// cut-off, otherwise puts it back: a writer's touch either lands before the rename (and is seen)
/// or fails on the missing file (and the writer rewrites it).
/// </summary>
public sealed class FileSystemBlobStore(string root) : IBlobStore
{
    private const string TempSuffix = ".tmp";
    private const string DeletingSuffix = ".deleting";

    public string Name => "FileSystem";

    /// <summary>Fan-out directories known to exist (creating one is a system call per chunk otherwise).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _directories = new(StringComparer.Ordinal);
    public string Root { get; } = Directory.CreateDirectory(root).FullName;

    // Chunks are small (at most 256 KiB): plain synchronous file calls are faster than the
    // thread-pool round trips of asynchronous file I/O on Linux.
    public Task EnsureAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        var path = PathOf(key);
        if (File.Exists(path))
        {
            try
            {
                File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
                return Task.CompletedTask;
            }
            catch (FileNotFoundException) { } // deleted between the two calls: write it again
        }

        var directory = Path.GetDirectoryName(path)!;
        if (!_directories.ContainsKey(directory))
        {
            Directory.CreateDirectory(directory); // idempotent: racing writers both succeed
            _directories.TryAdd(directory, true);
        }
        var temp = path + "." + Guid.NewGuid().ToString("N")[..8] + TempSuffix;
        try
        {
            using (var handle = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                RandomAccess.Write(handle, data.Span, 0);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        return Task.CompletedTask;
    }

    public Task<byte[]?> ReadAsync(string key, CancellationToken ct)
    {
        try
        {
#pragma warning disable CA1849 // Chunk files are small (tens of KiB): a synchronous read is cheaper than async file I/O, which Linux runs on the thread pool anyway.
            return Task.FromResult<byte[]?>(File.ReadAllBytes(PathOf(key)));
#pragma warning restore CA1849
        }
        catch (FileNotFoundException) { return Task.FromResult<byte[]?>(null); }
        catch (DirectoryNotFoundException) { return Task.FromResult<byte[]?>(null); }
    }

    public ValueTask<int> ReadIntoAsync(string key, Memory<byte> buffer, CancellationToken ct)
    {
        try
        {
            using var handle = File.OpenHandle(PathOf(key));
            var total = 0;
            int read;
            while (total < buffer.Length && (read = RandomAccess.Read(handle, buffer.Span[total..], total)) > 0)
                total += read;
            return ValueTask.FromResult(total);
        }
        catch (FileNotFoundException) { return ValueTask.FromResult(-1); }
        catch (DirectoryNotFoundException) { return ValueTask.FromResult(-1); }
    }

    public Task<bool> ExistsAsync(string key, CancellationToken ct) => Task.FromResult(File.Exists(PathOf(key)));

    public ValueTask<int> ReadRangeAsync(string key, long offset, Memory<byte> buffer, CancellationToken ct)
    {
        try
        {
            using var handle = File.OpenHandle(PathOf(key));
            var total = 0;
            int read;
            while (total < buffer.Length && (read = RandomAccess.Read(handle, buffer.Span[total..], offset + total)) > 0)
                total += read;
            return ValueTask.FromResult(total);
        }
        catch (FileNotFoundException) { return ValueTask.FromResult(-1); }
        catch (DirectoryNotFoundException) { return ValueTask.FromResult(-1); }
    }

    /// <summary>Keeps the pack file it read last open: a blob's chunks are mostly in one pack, read one after the other.</summary>
    public IRangeReader OpenRangeReader() => new FileRangeReader(this);

    public bool ReadsRangesFromFiles => true;

    private sealed class FileRangeReader(FileSystemBlobStore store) : IRangeReader
    {
        private string? _key;
        private Microsoft.Win32.SafeHandles.SafeFileHandle? _handle;

        public ValueTask<int> ReadRangeAsync(string key, long offset, Memory<byte> buffer, CancellationToken ct)
        {
            if (_key != key)
            {
                _handle?.Dispose();
                _handle = null;
                _key = null;
                try
                {
                    _handle = File.OpenHandle(store.PathOf(key));
                }
                catch (FileNotFoundException) { return ValueTask.FromResult(-1); }
                catch (DirectoryNotFoundException) { return ValueTask.FromResult(-1); }
                _key = key;
            }
            var total = 0;
            int read;
            while (total < buffer.Length && (read = RandomAccess.Read(_handle!, buffer.Span[total..], offset + total)) > 0)
                total += read;
            return ValueTask.FromResult(total);
        }

        public void Dispose() => _handle?.Dispose();
    }

    /// <summary>A pack is written to a temporary file beside its final name, flushed to disk and renamed into place when sealed.</summary>
    public IPackUpload BeginPack(string key)
    {
        var path = PathOf(key);
        var directory = Path.GetDirectoryName(path)!;
        if (!_directories.ContainsKey(directory))
        {
            Directory.CreateDirectory(directory);
            _directories.TryAdd(directory, true);
        }
        return new FilePackUpload(path, path + "." + Guid.NewGuid().ToString("N")[..8] + TempSuffix);
    }

    private sealed class FilePackUpload(string path, string temp) : IPackUpload
    {
        private readonly FileStream _file = new(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.None);
        private bool _sealed;

        public long Length { get; private set; }

        public ValueTask AppendAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
        {
            // Pieces are chunks (at most 256 KiB): a synchronous write avoids a thread-pool hop per chunk.
            _file.Write(bytes.Span);
            Length += bytes.Length;
            return ValueTask.CompletedTask;
        }

        public async Task SealAsync(CancellationToken ct)
        {
            // FlushAsync does not reach the disk: the synchronous overload with flushToDisk does (fsync).
#pragma warning disable CA1849
            _file.Flush(flushToDisk: true);
#pragma warning restore CA1849
            await _file.DisposeAsync();
            File.Move(temp, path, overwrite: true);
            _sealed = true;
        }

        public async ValueTask DisposeAsync()
        {
            await _file.DisposeAsync();
            if (!_sealed)
                File.Delete(temp);
        }
    }

    public Task<long> DeleteIfStaleAsync(string key, DateTime cutoff, CancellationToken ct)
    {
        var path = PathOf(key);
        var aside = path + "." + Guid.NewGuid().ToString("N")[..8] + DeletingSuffix;
        try
        {
            File.Move(path, aside);
        }
        catch (FileNotFoundException) { return Task.FromResult(0L); }
        catch (DirectoryNotFoundException) { return Task.FromResult(0L); }

        var info = new FileInfo(aside);
        if (info.LastWriteTimeUtc > cutoff)
        {
            // Touched by a writer meanwhile: put it back (a rewritten copy has the same bytes).
            File.Move(aside, path, overwrite: true);
            return Task.FromResult(0L);
        }
        var length = info.Length;
        File.Delete(aside);
        return Task.FromResult(length);
    }

    public async IAsyncEnumerable<BlobStoreItem> ListAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await Task.Yield();
        foreach (var file in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories))
        {
            ct.ThrowIfCancellationRequested();
            var name = Path.GetFileName(file);
            if (!StorageKeys.IsValid(name))
                continue;
            var info = new FileInfo(file);
            if (info.Exists)
                yield return new BlobStoreItem(name, info.Length, info.LastWriteTimeUtc);
        }
    }

    /// <summary>Temporary files of writes that never finished (a crash before the rename): a chunk or a pack that was never sealed.</summary>
    public Task<long> DeleteStaleLeftoversAsync(DateTime cutoff, CancellationToken ct)
    {
        long freed = 0;
        foreach (var file in Directory.EnumerateFiles(Root, "*" + TempSuffix, SearchOption.AllDirectories))
        {
            ct.ThrowIfCancellationRequested();
            var info = new FileInfo(file);
            if (!info.Exists || info.LastWriteTimeUtc > cutoff)
                continue;
            var length = info.Length;
            try
            {
                File.Delete(file);
                freed += length;
            }
            catch (IOException) { } // in use or gone: the next collection looks again
        }
        return Task.FromResult(freed);
    }

    public async Task CheckHealthAsync(CancellationToken ct)
    {
        var probe = Path.Combine(Root, ".health-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(probe, [1], ct);
        File.Delete(probe);
    }

    public string PathOf(string key)
    {
        if (!StorageKeys.IsValid(key))
            throw new ArgumentException("Not a chunk key.", nameof(key));
        return StorageKeys.IsPack(key)
            ? Path.Combine(Root, "packs", StorageKeys.PackIdOf(key)[..2], key)
            : Path.Combine(Root, key[..2], key);
    }
}

public static class StorageKeys
{
    private const string BrotliSuffix = "-br";
    private const string PackPrefix = "pack-";
    public const int PackIdLength = 32;
    private static readonly System.Buffers.SearchValues<char> Hex = System.Buffers.SearchValues.Create("0123456789abcdef");

    /// <summary>
    /// Keys are lower-case hex: a loose chunk's SHA-256 (with "-br" when the object holds the
    /// chunk's cold Brotli form), or "pack-" and a pack id. Never a path, never user input.
    /// </summary>
    public static bool IsValid(string key) => IsChunk(key) || IsPack(key);

    private static bool IsChunk(string key) =>
        (key.Length == 64 || (key.Length == 64 + BrotliSuffix.Length && key.EndsWith(BrotliSuffix, StringComparison.Ordinal)))
        && key.AsSpan(0, 64).IndexOfAnyExcept(Hex) < 0;

    public static bool IsPack(string key) =>
        key.Length == PackPrefix.Length + PackIdLength && key.StartsWith(PackPrefix, StringComparison.Ordinal)
        && key.AsSpan(PackPrefix.Length).IndexOfAnyExcept(Hex) < 0;

    /// <summary>A new pack's id: random, so concurrent writers never collide.</summary>
    public static string NewPackId() => Guid.NewGuid().ToString("N");

    public static string Pack(string packId) => PackPrefix + packId;

    public static string PackIdOf(string key) => key[PackPrefix.Length..];

    /// <summary>The object key of a loose chunk stored with <paramref name="codec"/>: the inline forms share the plain hash.</summary>
    public static string For(string sha256, ChunkCodec codec) => codec == ChunkCodec.Brotli ? sha256 + BrotliSuffix : sha256;

    /// <summary>Every key a loose chunk's object may have, whatever its codec.</summary>
    public static IEnumerable<string> AllFor(string sha256) => [sha256, sha256 + BrotliSuffix];

    /// <summary>The chunk hash a loose object's key names.</summary>
    public static string ChunkOf(string key) => key[..64];
}
