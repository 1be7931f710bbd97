using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;

namespace Catalyst.Data.Backups;

public sealed record BackupCheck(bool Valid, string Kind, IReadOnlyList<string> Problems, IReadOnlyList<string> Facts);

/// <summary>
/// Checks a website backup or an account archive without importing anything: structure,
/// format version and every checksum (the same rules as import). Used by <c>verify-backup</c>.
/// </summary>
public static class BackupVerifier
{
    public static async Task<BackupCheck> VerifyFileAsync(string path, CancellationToken ct)
    {
        await using var file = File.OpenRead(path);
        var head = new byte[4];
        var read = await file.ReadAtLeastAsync(head, 4, throwOnEndOfStream: false, ct);
        file.Position = 0;
        if (read >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K')
            return await VerifyArchiveAsync(file, ct);
        return await VerifyWebsiteBackupAsync(file, ct);
    }

    public static async Task<BackupCheck> VerifyWebsiteBackupAsync(Stream backup, CancellationToken ct)
    {
        var visitor = new HashingVisitor();
        try
        {
            await using var opened = await WebsiteImportService.OpenAsync(backup, ct);
            await WebsiteBackupReader.ReadAsync(opened, visitor, ct);
        }
        catch (BackupInvalidException ex)
        {
            visitor.Problems.Add(ex.Message);
        }
        catch (InvalidDataException ex)
        {
            visitor.Problems.Add("The file is not valid gzip: " + ex.Message);
        }
        return new BackupCheck(visitor.Problems.Count == 0, "website-backup", visitor.Problems, visitor.Facts);
    }

    public static async Task<BackupCheck> VerifyArchiveAsync(Stream archiveStream, CancellationToken ct)
    {
        var problems = new List<string>();
        var facts = new List<string>();
        using var archive = new ZipArchive(archiveStream, ZipArchiveMode.Read, leaveOpen: true);
        var manifestEntry = archive.GetEntry(AccountArchive.ManifestPath);
        if (manifestEntry is null)
            return new BackupCheck(false, "account-archive", [$"The archive has no {AccountArchive.ManifestPath}."], facts);
        AccountArchive.Manifest? manifest;
        await using (var stream = await manifestEntry.OpenAsync(ct))
        {
            try { manifest = await JsonSerializer.DeserializeAsync<AccountArchive.Manifest>(stream, JsonSerializerOptions.Web, ct); }
            catch (JsonException ex) { return new BackupCheck(false, "account-archive", ["The manifest is not valid JSON: " + ex.Message], facts); }
        }
        if (manifest is null || manifest.Format != AccountArchive.Format)
            return new BackupCheck(false, "account-archive", ["This is not a Catalyst account archive."], facts);
        if (manifest.FormatVersion > AccountArchive.Version)
            problems.Add($"The archive is format version {manifest.FormatVersion}; this Catalyst reads version {AccountArchive.Version}.");
        var listed = manifest.Files.ToDictionary(f => f.Path);
        foreach (var entry in archive.Entries.Where(e => e.FullName != AccountArchive.ManifestPath))
        {
            if (!listed.Remove(entry.FullName, out var expected))
            {
                problems.Add($"{entry.FullName} is not in the manifest.");
                continue;
            }
            await using var stream = await entry.OpenAsync(ct);
#pragma warning disable CA2000 // Disposed by the using; the analyzer does not follow the loop's continue.
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
#pragma warning restore CA2000
            var buffer = new byte[1 << 20];
            long length = 0;
            int n;
            while ((n = await stream.ReadAsync(buffer, ct)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                length += n;
            }
            var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (sha != expected.Sha256 || length != expected.Length)
                problems.Add($"{entry.FullName}: SHA-256 or length does not match the manifest.");
            else if (entry.FullName.EndsWith(".catalyst-backup.json", StringComparison.Ordinal))
            {
                await using var again = await entry.OpenAsync(ct);
                var inner = await VerifyWebsiteBackupAsync(again, ct);
                problems.AddRange(inner.Problems.Select(p => $"{entry.FullName}: {p}"));
            }
        }
        problems.AddRange(listed.Keys.Select(missing => $"{missing} is listed in the manifest but missing."));
        facts.Add($"{manifest.Files.Count} files for {manifest.User.Email}, exported {manifest.ExportedAt:O}");
        return new BackupCheck(problems.Count == 0, "account-archive", problems, facts);
    }

    /// <summary>Recomputes every section's and asset's SHA-256 as the backup streams by.</summary>
    private sealed class HashingVisitor : IBackupVisitor
    {
        private BackupDataInfo? _info;
        private IncrementalHash? _hash;
        private long _length;
        private string? _section;
        private BackupAsset? _asset;
        public List<string> Problems { get; } = [];
        public List<string> Facts { get; } = [];
        private int _types, _items, _assets;

        public ValueTask HeaderAsync(string format, int formatVersion, CancellationToken ct) { Facts.Add($"format {format} v{formatVersion}"); return ValueTask.CompletedTask; }
        public ValueTask WebsiteAsync(BackupWebsite website, CancellationToken ct) { Facts.Add($"website {website.Name} ({website.Slug}, {website.Id})"); return ValueTask.CompletedTask; }
        public ValueTask ContentTypeAsync(BackupContentType type, CancellationToken ct) { _types++; return ValueTask.CompletedTask; }
        public ValueTask ContentItemAsync(BackupContentItem item, CancellationToken ct) { _items++; return ValueTask.CompletedTask; }
        public ValueTask DataInfoAsync(BackupDataInfo info, CancellationToken ct) { _info = info; return ValueTask.CompletedTask; }
        public ValueTask DeploymentConfigAsync(BackupDeploymentConfig config, CancellationToken ct) => ValueTask.CompletedTask;

        public ValueTask SectionBeginAsync(string section, CancellationToken ct)
        {
            _section = section;
            Start();
            return ValueTask.CompletedTask;
        }

        public ValueTask SectionBytesAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct) => Append(bytes);

        public ValueTask SectionEndAsync(bool isNull, CancellationToken ct)
        {
            var (sha, length) = Finish();
            var declared = _info?.Sha256.GetValueOrDefault(_section!);
            if (isNull ? declared is not null : declared != sha)
                Problems.Add($"The {_section} section does not match its SHA-256.");
            else if (!isNull)
                Facts.Add($"section {_section}: {length} bytes, sha256 ok");
            return ValueTask.CompletedTask;
        }

        public ValueTask AssetBeginAsync(BackupAsset asset, CancellationToken ct)
        {
            _asset = asset;
            Start();
            return ValueTask.CompletedTask;
        }

        public ValueTask AssetBytesAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct) => Append(bytes);

        public ValueTask AssetEndAsync(CancellationToken ct)
        {
            _assets++;
            if (_hash is null)
            {
                Problems.Add($"Asset '{_asset?.FileName}' has no bytes.");
                return ValueTask.CompletedTask;
            }
            var (sha, length) = Finish();
            if (sha != _asset!.Sha256 || length != _asset.Length)
                Problems.Add($"Asset '{_asset.FileName}' does not match its SHA-256 or length.");
            if (_assets == 1 || Problems.Count == 0)
                Facts.RemoveAll(f => f.StartsWith("content:", StringComparison.Ordinal));
            Facts.Add($"content: {_types} content types, {_items} items, {_assets} assets checked");
            return ValueTask.CompletedTask;
        }

        private void Start()
        {
            _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            _length = 0;
        }

        private ValueTask Append(ReadOnlyMemory<byte> bytes)
        {
            _hash!.AppendData(bytes.Span);
            _length += bytes.Length;
            return ValueTask.CompletedTask;
        }

        private (string Sha, long Length) Finish()
        {
            var sha = Convert.ToHexStringLower(_hash!.GetHashAndReset());
            _hash.Dispose();
            _hash = null;
            return (sha, _length);
        }
    }
}
