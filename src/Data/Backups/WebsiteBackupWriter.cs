using System.Text;
using System.Text.Json;
using Catalyst.Data.Assets;
using Catalyst.Data.Common;
using Catalyst.Data.Storage;
using Catalyst.Data.Websites;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Backups;

/// <summary>
/// Writes a website backup (docs/backup-format.md) to a stream. The top level is written by
/// hand so that the large parts never exist as strings: data sections are copied byte for byte
/// from their blob streams, and asset bytes are base64-encoded piece by piece from theirs.
/// Small parts (metadata, content model) go through System.Text.Json. Memory stays flat
/// whatever the size of the website.
/// </summary>
public sealed class WebsiteBackupWriter(CatalystDbContext db, ContentStore content, TimeProvider time, IEnumerable<IBackupDeploymentConfigs> deploymentConfigs)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        MaxDepth = JsonLimits.DocumentDepth, // values nested as deep as Catalyst stores them, in the backup's envelope
    };

    public sealed record Progress(long Done, long Total);

    /// <summary>The bytes a backup of the website will carry in sections and assets (for progress).</summary>
    public async Task<long> PayloadBytesAsync(Guid websiteId, CancellationToken ct)
    {
        var version = await CurrentVersionAsync(websiteId, ct);
        var sections = (version?.ContentLength ?? 0) + (version?.AssetsLength ?? 0) + (version?.AiContextLength ?? 0);
        var assets = await AssetService.OfWebsite(db, websiteId).SumAsync(a => (long?)a.Length, ct) ?? 0;
        return sections + assets;
    }

    public async Task WriteAsync(Guid websiteId, Stream output, Func<long, Task>? progress, CancellationToken ct)
    {
        var website = await db.Set<Website>().AsNoTracking().FirstOrDefaultAsync(w => w.Id == websiteId, ct) ?? throw new NotFoundException("Website");
        var version = await CurrentVersionAsync(websiteId, ct);
        long done = 0;

        await Raw(output, $"{{\"format\":\"{BackupFormat.Name}\",\"formatVersion\":{BackupFormat.Version},\"producer\":\"{BackupFormat.Producer}\",\"exportedAt\":", ct);
        await Small(output, Clock.UtcNow(time), ct);
        await Raw(output, ",\"website\":", ct);
        await Small(output, new BackupWebsite(website.Id, website.Name, website.Slug, website.Description, website.Category,
            JsonDocument.Parse(website.Metadata, JsonLimits.Value).RootElement, website.CreatedAt, website.UpdatedAt), ct);

        await Raw(output, ",\"contentTypes\":[", ct);
        var first = true;
        await foreach (var type in db.Set<ContentType>().AsNoTracking().Where(t => t.WebsiteId == websiteId).OrderBy(t => t.Id).AsAsyncEnumerable().WithCancellation(ct))
        {
            await Raw(output, first ? "" : ",", ct);
            first = false;
            await Small(output, new BackupContentType(type.Id, type.Name, type.Slug, JsonDocument.Parse(type.Fields, JsonLimits.Value).RootElement), ct);
        }
        await Raw(output, "],\"contentItems\":[", ct);
        first = true;
        await foreach (var item in db.Set<ContentItem>().AsNoTracking().Where(i => i.WebsiteId == websiteId).OrderBy(i => i.Id).AsAsyncEnumerable().WithCancellation(ct))
        {
            await Raw(output, first ? "" : ",", ct);
            first = false;
            await Small(output, new BackupContentItem(item.Id, item.ContentTypeId, JsonNamingPolicy.CamelCase.ConvertName(item.Status.ToString()),
                JsonDocument.Parse(item.Data, JsonLimits.Value).RootElement, item.CreatedAt, item.UpdatedAt), ct);
        }

        // Section checksums and lengths come first, so a reader can verify the sections as they stream by.
        await Raw(output, "],\"dataInfo\":", ct);
        await Small(output, new BackupDataInfo(version?.Version ?? 0,
            WebsiteSections.All.ToDictionary(s => s, s => version?.ShaOf(s)),
            WebsiteSections.All.ToDictionary(s => s, s => version?.LengthOf(s))), ct);
        await Raw(output, ",\"data\":{", ct);
        for (var i = 0; i < WebsiteSections.All.Count; i++)
        {
            var section = WebsiteSections.All[i];
            await Raw(output, $"{(i == 0 ? "" : ",")}\"{section}\":", ct);
            if (version?.ShaOf(section) is { } sha)
            {
                await using var stream = await content.OpenReadAsync(sha, ct) ?? throw new InvalidDataException($"Section blob {sha} is missing.");
                await stream.CopyToAsync(output, 256 * 1024, ct);
                done += stream.Length;
                if (progress is not null) await progress(done);
            }
            else
            {
                await Raw(output, "null", ct);
            }
        }

        await Raw(output, "},\"assets\":[", ct);
        first = true;
        var assets = await AssetService.OfWebsite(db, websiteId).OrderBy(a => a.Id).ToListAsync(ct);
        foreach (var asset in assets)
        {
            await Raw(output, first ? "" : ",", ct);
            first = false;
            var meta = JsonSerializer.SerializeToUtf8Bytes(new BackupAsset(asset.Id, asset.FileName, asset.MediaType, asset.Length, asset.Sha256, asset.ProjectId, asset.CreatedAt), Json);
            await output.WriteAsync(meta.AsMemory(0, meta.Length - 1), ct); // the object without its closing brace
            await Raw(output, ",\"bytes\":[", ct);
            await using var stream = await content.OpenReadAsync(asset.Sha256, ct) ?? throw new InvalidDataException($"Asset blob {asset.Sha256} is missing.");
            await WriteBase64PiecesAsync(stream, output, ct);
            await Raw(output, "]}", ct);
            done += asset.Length;
            if (progress is not null) await progress(done);
        }
        // Deployment configs travel without their credentials: those stay in the vault of this server.
        await Raw(output, "],\"deploymentConfigs\":[", ct);
        first = true;
        foreach (var source in deploymentConfigs)
        {
            await foreach (var config in source.ForWebsiteAsync(websiteId, ct))
            {
                await Raw(output, first ? "" : ",", ct);
                first = false;
                await Small(output, config, ct);
            }
        }
        await Raw(output, "]}", ct);
        await output.FlushAsync(ct);
    }

    private async Task<WebsiteDataVersion?> CurrentVersionAsync(Guid websiteId, CancellationToken ct)
    {
        var current = await db.Set<WebsiteDataHead>().AsNoTracking().Where(h => h.WebsiteId == websiteId).Select(h => h.CurrentVersion).FirstOrDefaultAsync(ct);
        return current == 0 ? null : await db.Set<WebsiteDataVersion>().AsNoTracking().FirstAsync(v => v.WebsiteId == websiteId && v.Version == current, ct);
    }

    private static async Task WriteBase64PiecesAsync(Stream source, Stream output, CancellationToken ct)
    {
        var piece = new byte[BackupFormat.AssetPieceBytes];
        var encoded = new byte[Base64Length(BackupFormat.AssetPieceBytes) + 3];
        var first = true;
        while (true)
        {
            var read = await ReadFullAsync(source, piece, ct);
            if (read == 0)
                break;
            encoded[0] = first ? (byte)'"' : (byte)',';
            var offset = 1;
            if (!first)
                encoded[offset++] = (byte)'"';
            System.Buffers.Text.Base64.EncodeToUtf8(piece.AsSpan(0, read), encoded.AsSpan(offset), out _, out var written);
            encoded[offset + written] = (byte)'"';
            await output.WriteAsync(encoded.AsMemory(0, offset + written + 1), ct);
            first = false;
        }
    }

    private static int Base64Length(int bytes) => (bytes + 2) / 3 * 4;

    private static async Task<int> ReadFullAsync(Stream source, byte[] buffer, CancellationToken ct)
    {
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await source.ReadAsync(buffer.AsMemory(total), ct)) > 0)
            total += read;
        return total;
    }

    private static Task Raw(Stream output, string text, CancellationToken ct) => output.WriteAsync(Encoding.UTF8.GetBytes(text), ct).AsTask();

    private static Task Small<T>(Stream output, T value, CancellationToken ct) => JsonSerializer.SerializeAsync(output, value, Json, ct);

    /// <summary>A file name for the backup: slug and date.</summary>
    public static string FileName(Website website, DateTime at, bool gzip) =>
        $"{website.Slug}-{at:yyyyMMdd-HHmmss}.catalyst-backup.json{(gzip ? ".gz" : "")}";
}
