using System.Buffers;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Catalyst.Data.Assets;
using Catalyst.Data.Common;
using Catalyst.Data.Configuration;
using Catalyst.Data.Storage;
using Catalyst.Data.Websites;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Catalyst.Data.Common.IO;

namespace Catalyst.Data.Backups;

public enum DuplicatePolicy { Skip, Overwrite, Copy }

public sealed record ImportOptions(DuplicatePolicy OnDuplicate, bool DryRun = false, Guid? ReceiptKey = null);

/// <summary>What an import did (or, in a dry run, would do).</summary>
public sealed record ImportResult(
    string Status, Guid? WebsiteId, string? Slug, bool Duplicate, int ContentTypes, int ContentItems, int Assets,
    long DataBytes, long AssetBytes, int? DataVersion, IReadOnlyList<string> Notes);

/// <summary>
/// Imports a website backup in two phases. Reading: the backup is streamed once; its parts are
/// validated (format, structure, every section's and asset's SHA-256 and length) and their bytes
/// stored as unreferenced blobs. Committing: only if everything checked out, one transaction
/// creates the website, its model, a data version (source import) and the assets, and the
/// references that keep their blobs. A failure or cancellation before the commit leaves nothing
/// behind but unreferenced blobs, which garbage collection frees.
/// </summary>
public sealed class WebsiteImportService(CatalystDbContext db, ContentStore content, WebsiteService websites, TimeProvider time, IOptions<CatalystOptions> settings)
{
    private const int MaxItems = 200_000;
    /// <summary>Item rows are saved (in the import's transaction) and let go every this many bytes of data or rows.</summary>
    private const long ItemBatchBytes = 4L << 20;
    private const int ItemBatchRows = 1000;

    public async Task<ImportResult> ImportAsync(Actor importer, Stream backup, ImportOptions options, Func<long, Task>? progress, CancellationToken ct)
    {
        if (options.ReceiptKey is { } key && await db.Set<ImportReceipt>().AsNoTracking().FirstOrDefaultAsync(r => r.JobRunId == key, ct) is { } receipt)
            return JsonSerializer.Deserialize<ImportResult>(receipt.Result, JsonSerializerOptions.Web)!;

        await using var opened = await OpenAsync(backup, ct);
        await using var counted = new CountingStream(opened, progress);
        var collector = new Collector(content);
        try
        {
            await WebsiteBackupReader.ReadAsync(counted, collector, ct, settings.Value.Websites.MaxBackupPartBytes);
        }
        catch (Exception ex)
        {
            await collector.AbortAsync(ex);
            throw;
        }
        await collector.CompleteAsync();
        collector.Validate();
        if (options.DryRun)
            return await PlanAsync(importer, collector, options, ct);
        return await CommitAsync(importer, collector, options, ct);
    }

    /// <summary>
    /// What the backup collides with. Only the importer's own websites are duplicates; another
    /// user's website is never named, never overwritten and never reveals anything: its id is simply
    /// not used (the import gets a new one) and its slug is only said to be taken.
    /// </summary>
    private sealed record Collisions(Website? Own, bool SlugTaken, bool IdTaken);

    private async Task<Collisions> FindCollisionsAsync(Actor importer, BackupWebsite source, CancellationToken ct)
    {
        var matches = await db.Set<Website>().AsNoTracking().Where(w => w.Id == source.Id || w.Slug == source.Slug).ToListAsync(ct);
        var own = matches.FirstOrDefault(w => w.OwnerId == importer.UserId && w.Id == source.Id)
            ?? matches.FirstOrDefault(w => w.OwnerId == importer.UserId);
        // The slug is taken when a website other than the one an overwrite would replace holds it.
        var slugTaken = matches.Any(w => w.Slug == source.Slug && w.Id != own?.Id);
        var idTaken = matches.Any(w => w.Id == source.Id && w.OwnerId != importer.UserId);
        return new Collisions(own, slugTaken, idTaken);
    }

    private async Task<ImportResult> PlanAsync(Actor importer, Collector backup, ImportOptions options, CancellationToken ct)
    {
        var found = await FindCollisionsAsync(importer, backup.Website!, ct);
        var notes = new List<string>();
        var status = "valid";
        if (found.Own is not null)
        {
            notes.Add($"You already have this website ({found.Own.Slug}); policy: {options.OnDuplicate.ToString().ToLowerInvariant()}.");
            if (options.OnDuplicate == DuplicatePolicy.Skip)
                status = "would-skip";
        }
        if (found.SlugTaken)
        {
            notes.Add(options.OnDuplicate == DuplicatePolicy.Copy
                ? $"The slug '{backup.Website!.Slug}' is taken; the copy will get a free one."
                : $"The slug '{backup.Website!.Slug}' is taken; import it as a copy.");
            if (options.OnDuplicate != DuplicatePolicy.Copy)
                status = options.OnDuplicate == DuplicatePolicy.Skip ? "would-skip" : "would-fail";
        }
        return Result(status, found.Own?.Id, backup, found.Own is not null || found.SlugTaken, null, notes);
    }

    private async Task<ImportResult> CommitAsync(Actor importer, Collector backup, ImportOptions options, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var found = await FindCollisionsAsync(importer, backup.Website!, ct);
        var duplicate = found.Own is not null || found.SlugTaken;
        ImportResult result;
        if (duplicate && options.OnDuplicate == DuplicatePolicy.Skip)
        {
            result = Result("skipped", found.Own?.Id, backup, duplicate: true, null,
                [found.Own is not null ? $"You already have this website ({found.Own.Slug}); nothing was imported." : $"The slug '{backup.Website!.Slug}' is taken; nothing was imported."]);
        }
        else
        {
            var copy = duplicate && options.OnDuplicate == DuplicatePolicy.Copy;
            if (!copy && found.SlugTaken)
                throw new ConflictException("slug_taken", $"The slug '{backup.Website!.Slug}' is taken; import the backup as a copy.");
            if (!copy && found.Own is { } replaced)
            {
                await websites.RemoveAsync(replaced, ct);
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
            }
            // A new id when copying, or when the backup's id is another user's (never adopted).
            var (websiteId, slug, version) = await CreateAsync(importer, backup, copy, newId: copy || found.IdTaken, ct);
            result = Result(copy ? "copied" : found.Own is not null ? "overwritten" : "imported", websiteId, backup, duplicate, version, [], slug);
        }
        if (options.ReceiptKey is { } key)
            db.Set<ImportReceipt>().Add(new ImportReceipt { JobRunId = key, Result = JsonSerializer.Serialize(result, JsonSerializerOptions.Web), CreatedAt = Clock.UtcNow(time) });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return result;
    }

    private async Task<(Guid WebsiteId, string Slug, int? Version)> CreateAsync(Actor importer, Collector backup, bool copy, bool newId, CancellationToken ct)
    {
        var source = backup.Website!;
        var websiteId = newId ? Guid.CreateVersion7() : source.Id;
        var slug = copy ? await FreeSlugAsync(source.Slug, ct) : source.Slug;
        db.Set<Website>().Add(new Website
        {
            Id = websiteId,
            OwnerId = importer.UserId,
            Name = source.Name,
            Slug = slug,
            Description = source.Description,
            Category = source.Category,
            Metadata = source.Metadata.ValueKind == JsonValueKind.Object ? source.Metadata.GetRawText() : "{}",
            CreatedAt = source.CreatedAt,
        });

        // Ids in the file are kept only where no row (anyone's) has them: a backup never adopts another user's ids.
        var typeIds = await KeepFreeIdsAsync(backup.Types.Select(t => t.Id), copy, db.Set<ContentType>().Select(t => t.Id), ct);
        var itemIds = await KeepFreeIdsAsync(backup.Items.Select(i => i.Id), copy, db.Set<ContentItem>().Select(i => i.Id), ct);
        var remap = itemIds.Any(pair => pair.Key != pair.Value);
        foreach (var type in backup.Types)
            db.Set<ContentType>().Add(new ContentType { Id = typeIds[type.Id], WebsiteId = websiteId, Name = type.Name, Slug = type.Slug, Fields = type.Fields.GetRawText() });
        var fieldsByType = backup.Types.ToDictionary(t => t.Id, t => ContentSchema.Parse(t.Fields.GetRawText()));
        await AddItemsAsync(backup, websiteId, typeIds, itemIds, remap ? fieldsByType : null, ct);

        int? versionNumber = null;
        var head = new WebsiteDataHead { WebsiteId = websiteId };
        if (backup.Sections.Values.Any(s => s is not null))
        {
            var version = new WebsiteDataVersion
            {
                WebsiteId = websiteId,
                Version = 1,
                Source = WebsiteDataSources.Import,
                CreatedById = importer.UserId,
                CreatedByEmail = importer.Email,
                CreatedAt = Clock.UtcNow(time),
            };
            foreach (var (section, blob) in backup.Sections)
                version.Set(section, blob?.Sha256, blob?.Length);
            db.Set<WebsiteDataVersion>().Add(version);
            head.CurrentVersion = head.LastVersion = 1;
            versionNumber = 1;
            foreach (var section in WebsiteSections.All)
                if (version.ShaOf(section) is { } sha)
                    await content.AddReferenceAsync(sha, BlobOwnerTypes.WebsiteDataVersion, version.ReferenceOwner(section), importer.UserId, ct);
        }
        db.Set<WebsiteDataHead>().Add(head);

        foreach (var (asset, blob) in backup.Assets)
        {
            var id = copy || await db.Set<Asset>().AnyAsync(a => a.Id == asset.Id, ct) ? Guid.CreateVersion7() : asset.Id;
            db.Set<Asset>().Add(new Asset
            {
                Id = id,
                OwnerId = importer.UserId,
                WebsiteId = websiteId,
                FileName = FileRules.CleanFileName(asset.FileName),
                MediaType = FileRules.CleanMediaType(asset.MediaType),
                Length = blob.Length,
                Sha256 = blob.Sha256,
                CreatedAt = asset.CreatedAt,
            });
            await content.AddReferenceAsync(blob.Sha256, BlobOwnerTypes.Asset, id.ToString(), importer.UserId, ct);
        }
        return (websiteId, slug, versionNumber);
    }

    /// <summary>Maps each id of the file to itself when no row has it yet, else (and always for a copy) to a new one.</summary>
    private static async Task<Dictionary<Guid, Guid>> KeepFreeIdsAsync(IEnumerable<Guid> ids, bool copy, IQueryable<Guid> existing, CancellationToken ct)
    {
        var all = ids.ToList();
        var taken = new HashSet<Guid>();
        if (!copy)
            foreach (var chunk in all.Chunk(500))
                taken.UnionWith(await existing.Where(id => chunk.Contains(id)).ToListAsync(ct));
        return all.ToDictionary(id => id, id => copy || taken.Contains(id) ? Guid.CreateVersion7() : id);
    }

    private async Task<string> FreeSlugAsync(string slug, CancellationToken ct)
    {
        var stem = slug.Length > WebsiteRules.MaxSlugLength - 10 ? slug[..(WebsiteRules.MaxSlugLength - 10)].TrimEnd('-') : slug;
        for (var n = 1; ; n++)
        {
            var candidate = n == 1 ? $"{stem}-copy" : $"{stem}-copy-{n}";
            if (!await db.Set<Website>().AnyAsync(w => w.Slug == candidate, ct))
                return candidate;
        }
    }

    /// <summary>
    /// The content items' rows, each one's data read back from the blob the reading phase staged
    /// them in, in order; every few MiB (or thousand rows) the rows are saved, inside the caller's
    /// transaction, and let go, so memory holds one batch of items, never all of them (SPEC §16).
    /// </summary>
    private async Task AddItemsAsync(Collector backup, Guid websiteId, Dictionary<Guid, Guid> typeIds, Dictionary<Guid, Guid> itemIds,
        Dictionary<Guid, List<ContentField>>? remap, CancellationToken ct)
    {
        if (backup.Items.Count == 0)
            return;
        await using var staged = await content.OpenReadAsync(backup.ItemData!.Sha256, ct)
            ?? throw new InvalidOperationException("The content items staged by this import are gone from the store.");
        var batch = new List<ContentItem>();
        long batchBytes = 0;
        var buffer = new byte[backup.Items.Max(i => i.Length)]; // one buffer for all items: the largest is bounded by the part limit
        foreach (var item in backup.Items)
        {
            var bytes = buffer.AsMemory(0, item.Length);
            await staged.ReadExactlyAsync(bytes, ct);
            var row = new ContentItem
            {
                Id = itemIds[item.Id],
                WebsiteId = websiteId,
                ContentTypeId = typeIds[item.ContentTypeId],
                Data = remap is null ? Encoding.UTF8.GetString(bytes.Span) : RemapReferences(bytes.Span, remap[item.ContentTypeId], itemIds),
                Status = item.Published ? ContentItemStatus.Published : ContentItemStatus.Draft,
                CreatedAt = item.CreatedAt,
            };
            db.Set<ContentItem>().Add(row);
            batch.Add(row);
            batchBytes += item.Length;
            if (batchBytes >= ItemBatchBytes || batch.Count >= ItemBatchRows)
            {
                await db.SaveChangesAsync(ct);
                foreach (var saved in batch)
                    db.Entry(saved).State = EntityState.Detached;
                batch.Clear();
                batchBytes = 0;
            }
        }
    }

    /// <summary>For a copy, item references must point at the copied items.</summary>
    private static string RemapReferences(ReadOnlySpan<byte> data, List<ContentField> fields, Dictionary<Guid, Guid> itemIds)
    {
        if (JsonNode.Parse(data, documentOptions: JsonLimits.Value) is not JsonObject node)
            return Encoding.UTF8.GetString(data);
        string? Map(JsonNode? value) => value is JsonValue v && v.TryGetValue<string>(out var text) && Guid.TryParse(text, out var id) && itemIds.TryGetValue(id, out var mapped) ? mapped.ToString() : null;
        foreach (var field in fields)
        {
            if (field.Type == FieldTypes.Reference && Map(node[field.Name]) is { } single)
                node[field.Name] = single;
            else if (field.Type == FieldTypes.List && field.Of == FieldTypes.Reference && node[field.Name] is JsonArray list)
                for (var i = 0; i < list.Count; i++)
                    if (Map(list[i]) is { } mapped) list[i] = mapped;
        }
        return node.ToJsonString();
    }

    private static ImportResult Result(string status, Guid? websiteId, Collector backup, bool duplicate, int? version, IReadOnlyList<string> notes, string? slug = null) =>
        new(status, websiteId, slug ?? backup.Website!.Slug, duplicate, backup.Types.Count, backup.Items.Count, backup.Assets.Count,
            backup.Sections.Values.Sum(s => s?.Length ?? 0), backup.Assets.Sum(a => a.Blob.Length), version, notes);

    /// <summary>Plain or gzip, told apart by the gzip magic bytes.</summary>
    public static async Task<Stream> OpenAsync(Stream backup, CancellationToken ct)
    {
        var head = new byte[2];
        var read = await backup.ReadAtLeastAsync(head, 2, throwOnEndOfStream: false, ct);
        var prefixed = new PrefixStream(head.AsMemory(0, read), backup);
        return read == 2 && head[0] == 0x1f && head[1] == 0x8b ? new GZipStream(prefixed, CompressionMode.Decompress) : prefixed;
    }

    /// <summary>A content item as the commit needs it; its data waits in <see cref="Collector.ItemData"/>, <see cref="Length"/> bytes after the previous item's.</summary>
    private sealed record StagedItem(Guid Id, Guid ContentTypeId, bool Published, DateTime CreatedAt, int Length);

    /// <summary>
    /// Collects the small parts and stores sections and assets as blobs while checking their hashes.
    /// Content items are not kept: their data goes to one staged blob as they are read, and only
    /// their ids, status and lengths stay in memory (SPEC §16: imports stream items to the store).
    /// </summary>
    private sealed class Collector(ContentStore content) : IBackupVisitor
    {
        public BackupWebsite? Website { get; private set; }
        public List<BackupContentType> Types { get; } = [];
        public List<StagedItem> Items { get; } = [];
        /// <summary>Every item's data, one after another; unreferenced, so garbage collection frees it after the import.</summary>
        public BlobInfo? ItemData { get; private set; }
        public Dictionary<string, BlobInfo?> Sections { get; } = [];
        public List<(BackupAsset Asset, BlobInfo Blob)> Assets { get; } = [];
        private readonly HashSet<Guid> _typeIds = [];
        private readonly HashSet<string> _typeSlugs = new(StringComparer.Ordinal);
        private readonly HashSet<Guid> _itemIds = [];
        private readonly HashSet<Guid> _assetIds = [];
        private BackupDataInfo? _dataInfo;
        private BlobWriter? _current;
        private BlobWriter? _items;
        private BackupAsset? _asset;
        private string? _section;

        public ValueTask HeaderAsync(string format, int formatVersion, CancellationToken ct) => ValueTask.CompletedTask;

        public ValueTask WebsiteAsync(BackupWebsite website, CancellationToken ct)
        {
            var errors = new Dictionary<string, string[]>();
            WebsiteRules.ValidName(website.Name, errors);
            WebsiteRules.ValidSlug(website.Slug, errors);
            if (JsonLimits.DepthOf(website.Metadata) > JsonLimits.MaxDepth)
                errors["metadata"] = [$"The metadata is nested deeper than {JsonLimits.MaxDepth} levels."];
            if (errors.Count > 0 || website.Id == Guid.Empty)
                throw new BackupInvalidException("The backup's website is not valid: " + string.Join(" ", errors.Values.SelectMany(v => v)));
            Website = website;
            return ValueTask.CompletedTask;
        }

        public ValueTask ContentTypeAsync(BackupContentType type, CancellationToken ct)
        {
            var errors = new Dictionary<string, string[]>();
            WebsiteRules.ValidName(type.Name, errors);
            WebsiteRules.ValidSlug(type.Slug, errors);
            List<ContentField?> fields;
            try { fields = [.. ContentSchema.Parse(type.Fields.GetRawText())]; }
            catch (JsonException) { throw new BackupInvalidException($"Content type '{type.Name}' has an unreadable field schema."); }
            ContentSchema.ValidFields(fields, errors);
            if (errors.Count > 0 || !_typeIds.Add(type.Id) || !_typeSlugs.Add(type.Slug))
                throw new BackupInvalidException($"Content type '{type.Name}' is not valid or duplicated.");
            Types.Add(type);
            return ValueTask.CompletedTask;
        }

        public ValueTask ContentItemAsync(BackupContentItem item, CancellationToken ct)
        {
            if (Items.Count >= MaxItems)
                throw new BackupInvalidException($"More than {MaxItems} content items.");
            if (item.Data.ValueKind != JsonValueKind.Object || !_itemIds.Add(item.Id))
                throw new BackupInvalidException($"Content item {item.Id} is not valid or duplicated.");
            if (JsonLimits.DepthOf(item.Data) > JsonLimits.MaxDepth)
                throw new BackupInvalidException($"Content item {item.Id} is nested deeper than {JsonLimits.MaxDepth} levels.");
            if (ItemData is not null)
                throw new BackupInvalidException("The content items must be listed together.");
            _items ??= content.OpenWriter(4 << 20, ct);
            var data = JsonMarshal.GetRawUtf8Value(item.Data);
            Items.Add(new StagedItem(item.Id, item.ContentTypeId, string.Equals(item.Status, "published", StringComparison.OrdinalIgnoreCase), item.CreatedAt, data.Length));
            return _items.WriteAsync(data, ct);
        }

        /// <summary>The items' blob is complete before another blob is written (one store, one DbContext) and before the commit.</summary>
        private async ValueTask CloseItemsAsync()
        {
            if (_items is null)
                return;
            ItemData = await _items.CompleteAsync();
            _items = null;
        }

        /// <summary>Reading is over: everything staged is stored.</summary>
        public async Task CompleteAsync() => await CloseItemsAsync();

        public ValueTask DataInfoAsync(BackupDataInfo info, CancellationToken ct)
        {
            _dataInfo = info;
            return ValueTask.CompletedTask;
        }

        public async ValueTask SectionBeginAsync(string section, CancellationToken ct)
        {
            if (_dataInfo is null)
                throw new BackupInvalidException("dataInfo must come before data.");
            await CloseItemsAsync();
            _section = section;
            _current = content.OpenWriter(4 << 20, ct);
        }

        public ValueTask SectionBytesAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct) => _current!.WriteAsync(bytes, ct);

        public async ValueTask SectionEndAsync(bool isNull, CancellationToken ct)
        {
            var blob = await _current!.CompleteAsync();
            _current = null;
            var declared = _dataInfo!.Sha256.GetValueOrDefault(_section!);
            if (isNull)
            {
                if (declared is not null)
                    throw new BackupInvalidException($"The {_section} section is missing but dataInfo lists its checksum.");
                Sections[_section!] = null;
                return;
            }
            if (declared != blob.Sha256)
                throw new BackupInvalidException($"The {_section} section does not match its SHA-256 (expected {declared ?? "none"}, got {blob.Sha256}).");
            Sections[_section!] = blob;
        }

        public async ValueTask AssetBeginAsync(BackupAsset asset, CancellationToken ct)
        {
            if (asset.Length < 0 || asset.Sha256 is not { Length: 64 } || !_assetIds.Add(asset.Id))
                throw new BackupInvalidException($"Asset {asset.Id} is not valid or duplicated.");
            await CloseItemsAsync();
            _asset = asset;
            _current = content.OpenWriter(4 << 20, ct);
        }

        public ValueTask AssetBytesAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct) => _current!.WriteAsync(bytes, ct);

        public async ValueTask AssetEndAsync(CancellationToken ct)
        {
            if (_current is null)
                throw new BackupInvalidException($"Asset {_asset?.Id} has no bytes.");
            var blob = await _current.CompleteAsync();
            _current = null;
            if (blob.Sha256 != _asset!.Sha256 || blob.Length != _asset.Length)
                throw new BackupInvalidException($"Asset '{_asset.FileName}' does not match its SHA-256 or length (expected {_asset.Sha256}, {_asset.Length} bytes; got {blob.Sha256}, {blob.Length} bytes).");
            Assets.Add((_asset, blob));
        }

        public ValueTask DeploymentConfigAsync(BackupDeploymentConfig config, CancellationToken ct) => ValueTask.CompletedTask;

        public void Validate()
        {
            if (Website is null)
                throw new BackupInvalidException("The backup has no website.");
            var types = Types.Select(t => t.Id).ToHashSet();
            if (Items.FirstOrDefault(i => !types.Contains(i.ContentTypeId)) is { } orphan)
                throw new BackupInvalidException($"Content item {orphan.Id} refers to a content type that is not in the backup.");
            foreach (var section in WebsiteSections.All)
                Sections.TryAdd(section, null);
        }

        public async Task AbortAsync(Exception reason)
        {
            if (_current is not null)
                await _current.AbortAsync(reason);
            if (_items is not null)
                await _items.AbortAsync(reason);
        }
    }
}

/// <summary>Reports the bytes read so far (for progress).</summary>
public sealed class CountingStream(Stream inner, Func<long, Task>? progress) : ReadOnlyStream
{
    private long _read;
    private long _reported;

    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        _read += read;
        if (progress is not null && _read - _reported >= 1 << 20)
        {
            _reported = _read;
            await progress(_read);
        }
        return read;
    }
}

/// <summary>Puts back bytes already read from the start of a stream.</summary>
public sealed class PrefixStream(ReadOnlyMemory<byte> prefix, Stream inner) : ReadOnlyStream
{
    private ReadOnlyMemory<byte> _prefix = prefix;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_prefix.IsEmpty)
            return await inner.ReadAsync(buffer, cancellationToken);
        var take = Math.Min(buffer.Length, _prefix.Length);
        _prefix[..take].CopyTo(buffer);
        _prefix = _prefix[take..];
        return take;
    }
}
