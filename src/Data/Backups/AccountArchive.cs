using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Catalyst.Data.Assets;
using Catalyst.Data.Common;
using Catalyst.Data.Projects;
using Catalyst.Data.Storage;
using Catalyst.Data.Websites;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Backups;

/// <summary>
/// Everything a user owns in one zip (issue 7): projects, preferences, each website as a §10
/// backup, and asset files, with <c>manifest.json</c> last listing every file's SHA-256. Written
/// as a stream (zip data descriptors), so the archive never exists whole in memory.
/// </summary>
public sealed class AccountArchive(CatalystDbContext db, ContentStore content, WebsiteBackupWriter websites, TimeProvider time)
{
    public const string Format = "catalyst.account-archive";
    public const int Version = 1;
    public const string ManifestPath = "manifest.json";

    public sealed record ManifestUser(Guid Id, string Email);

    public sealed record ManifestFile(string Path, string Sha256, long Length);

    public sealed record Manifest(string Format, int FormatVersion, DateTime ExportedAt, ManifestUser User, List<ManifestFile> Files);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web) { WriteIndented = true };

    public async Task WriteAsync(Actor owner, Stream output, Func<long, Task>? progress, CancellationToken ct)
    {
        var files = new List<ManifestFile>();
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        long done = 0;

        async Task Entry(string path, Func<Stream, Task> write, CompressionLevel level = CompressionLevel.Fastest)
        {
            var entry = zip.CreateEntry(path, level);
            await using var stream = await entry.OpenAsync(ct);
            await using var hashing = new HashingStream(stream);
            await write(hashing);
            files.Add(new ManifestFile(path, hashing.Sha256(), hashing.Length));
            done += hashing.Length;
            if (progress is not null)
                await progress(done);
        }

        var projects = await db.Set<Project>().AsNoTracking().Where(p => p.OwnerId == owner.UserId).OrderBy(p => p.CreatedAt).ToListAsync(ct);
        await Entry("projects.json", s => JsonSerializer.SerializeAsync(s, projects.Select(p => new
        {
            p.Id, p.Name, p.Description, status = p.Status.ToString().ToLowerInvariant(), p.Tags, p.IsPublished, p.Price, p.Currency, p.Category, p.CreatedAt, p.UpdatedAt,
        }), Json, ct));

        var preferences = await db.Set<UserPreferences>().AsNoTracking().Where(p => p.UserId == owner.UserId).Select(p => p.Preferences).FirstOrDefaultAsync(ct) ?? "{}";
        await Entry("preferences.json", s => s.WriteAsync(System.Text.Encoding.UTF8.GetBytes(preferences), ct).AsTask());

        var sites = await db.Set<Website>().AsNoTracking().Where(w => w.OwnerId == owner.UserId).OrderBy(w => w.Slug).ToListAsync(ct);
        foreach (var site in sites)
            await Entry($"websites/{site.Slug}.catalyst-backup.json", s => websites.WriteAsync(site.Id, s, null, ct));

        var assets = await db.Set<Asset>().AsNoTracking().Where(a => a.OwnerId == owner.UserId).OrderBy(a => a.CreatedAt).ToListAsync(ct);
        await Entry("assets.json", s => JsonSerializer.SerializeAsync(s, assets.Select(a => new { a.Id, a.FileName, a.MediaType, a.Length, a.Sha256, a.WebsiteId, a.ProjectId, a.CreatedAt, path = AssetPath(a) }), Json, ct));
        foreach (var asset in assets)
        {
            await Entry(AssetPath(asset), async s =>
            {
                await using var bytes = await content.OpenReadAsync(asset.Sha256, ct) ?? throw new InvalidDataException($"Asset blob {asset.Sha256} is missing.");
                await bytes.CopyToAsync(s, 256 * 1024, ct);
            }, CompressionLevel.NoCompression);
        }

        var manifest = new Manifest(Format, Version, Clock.UtcNow(time), new ManifestUser(owner.UserId, owner.Email), files);
        var entry = zip.CreateEntry(ManifestPath, CompressionLevel.Fastest);
        await using (var stream = await entry.OpenAsync(ct))
            await JsonSerializer.SerializeAsync(stream, manifest, Json, ct);
    }

    /// <summary>Asset files by id (unique) and cleaned name (readable); never a path from user input.</summary>
    private static string AssetPath(Asset asset) => $"assets/{asset.Id:N}-{FileRules.CleanFileName(asset.FileName)}";

    /// <summary>Hashes and counts what passes through to the inner stream.</summary>
    private sealed class HashingStream(Stream inner) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _length;

        public string Sha256() => Convert.ToHexStringLower(_hash.GetHashAndReset());
        public override long Length => _length;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _hash.AppendData(buffer.Span);
            _length += buffer.Length;
            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _hash.Dispose();
            base.Dispose(disposing);
        }
    }
}
