using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Catalyst.Data.Assets;
using Catalyst.Data.Common;
using Catalyst.Data.LegacyImport.Reading;
using Catalyst.Data.Storage;
using Catalyst.Data.Websites;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.LegacyImport.Mapping;

/// <summary>
/// A catalyst_global website row with its per-website databases (config, content, assets, ai_context)
/// becomes one website: its metadata (with the config map), content types and items, assets and a
/// first website data version (source <c>migration</c>) holding the legacy tables as sections. In an
/// apply it is one unit: the blobs are stored first, then everything commits in one transaction with
/// the source keys of all its rows, or nothing does and every row fails with the reason.
/// </summary>
internal sealed class LegacyWebsiteMapper(
    CatalystDbContext db,
    WebsiteService websites,
    ContentModelService contentModel,
    WebsiteDataService websiteData,
    AssetService assets,
    IOptions<Configuration.CatalystOptions> settings,
    LegacyBlobWriter blobs,
    LegacyImportLedger ledger,
    ILogger logger)
{
    /// <summary>The rows of one website's databases, by part and table.</summary>
    private sealed class SiteRows(IReadOnlyList<LegacyFileRows> files)
    {
        public IEnumerable<LegacyRow> Of(string part, string table) =>
            files.Where(f => LegacyValues.WebsiteDatabase(f.Database)?.Part == part).SelectMany(f => f.Of(table));

        public IEnumerable<(LegacyFileRows File, string Table, LegacyRow Row)> All() =>
            files.SelectMany(f => f.Rows.SelectMany(t => t.Value.Select(r => (f, t.Key, r))));

        public bool Has(string part) => files.Any(f => LegacyValues.WebsiteDatabase(f.Database)?.Part == part);
    }

    public async Task MapAsync(LegacyRow websiteRow, List<LegacyFileRows> files, CancellationToken ct)
    {
        var site = new SiteRows(files);
        if (ledger.Existing(websiteRow) is { } done)
        {
            // Landed earlier, with everything it held, in one transaction: its rows count as they did then.
            ledger.Count(websiteRow, done.Outcome, done.Message);
            Count(PlanWebsite(site));
            ledger.ClearPending();
            return;
        }

        var legacy = LegacyValues.AsObject(websiteRow.Value);
        var missing = LegacyDatabases.WebsiteParts.Where(p => !site.Has(p)).ToList();
        if (missing.Count == LegacyDatabases.WebsiteParts.Count)
            ledger.Problem(websiteRow, "Its per-website databases are missing: imported with no data.");
        else if (missing.Count > 0)
            ledger.Problem(websiteRow, $"Missing per-website databases: {string.Join(", ", missing)}.");

        // Metadata: everything the Website has no column for (icon, settings, isActive, unknown fields) and the config map.
        var metadata = LegacyValues.Rest(legacy, "id", "name", "description", "category");
        metadata["legacyId"] = websiteRow.Key;
        var config = new JsonObject();
        foreach (var row in site.Of(LegacyDatabases.Config, "config").Where(r => ConfigTooDeep(r) is null))
            config[row.Key] = ConfigValue(row)?.DeepClone();
        if (config.Count > 0)
            metadata["config"] = config;

        var name = LegacyValues.Text(legacy, "name") is { Length: > 0 } n ? n.Trim() : "Website " + websiteRow.Key;
        if (name.Length > WebsiteRules.MaxNameLength) name = name[..WebsiteRules.MaxNameLength];
        var description = LegacyValues.Text(legacy, "description");
        if (description is { Length: > WebsiteRules.MaxDescriptionLength })
        {
            metadata["description"] = description;
            description = description[..WebsiteRules.MaxDescriptionLength];
        }
        var category = LegacyValues.Text(legacy, "category") is { Length: > 0 } c ? (c.Length > 64 ? c[..64] : c) : null;
        var metadataElement = LegacyValues.Element(metadata);
        var errors = new Dictionary<string, string[]>();
        WebsiteRules.ValidName(name, errors);
        WebsiteRules.ValidJsonObject(metadataElement, errors, "metadata");
        if (errors.Count > 0)
        {
            var reason = "The website cannot be created: " + string.Join(" ", errors.Values.SelectMany(v => v));
            ledger.Count(websiteRow, LegacyOutcome.Failed, reason);
            foreach (var (_, _, row) in site.All())
                ledger.Count(row, LegacyOutcome.Failed, "Its website could not be created.");
            return;
        }

        var plan = PlanWebsite(site);
        if (!ledger.Apply)
        {
            ledger.Land(websiteRow, LegacyTargetKinds.Website, Guid.NewGuid().ToString());
            Count(plan);
            ledger.ClearPending();
            return;
        }

        // Blobs first, outside the transaction: unreferenced until it commits, garbage if it never does.
        var stored = await blobs.StoreAsync(plan.Assets.Select(a => a.Row).ToList(), "blob", "data", ct);
        var (assetIds, sections) = await PrepareAsync(plan, stored, ct);
        var snapshot = ledger.Tally.Snapshot();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            var slug = await FreeSlugAsync(WebsiteRules.Slugify(name), ct);
            var website = await websites.CreateAsync(ledger.Owner, new WebsiteInput(name, slug, description, category, metadataElement), ct);
            ledger.Land(websiteRow, LegacyTargetKinds.Website, website.Id.ToString());
            await WriteAsync(plan, website.Id, stored, assetIds, sections, ct);
            db.Set<LegacySourceKey>().AddRange(ledger.Pending);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (Exception ex) when (ex is DomainException or DbUpdateException or JsonException or InvalidOperationException or ArgumentException)
        {
            await tx.RollbackAsync(CancellationToken.None);
            db.ChangeTracker.Clear();
            ledger.Forget(snapshot);
            ledger.Count(websiteRow, LegacyOutcome.Failed, ledger.Reason(ex, "The website could not be written", logger));
            foreach (var (_, _, row) in site.All())
                ledger.Count(row, LegacyOutcome.Failed, "Its website could not be written.");
        }
        ledger.ClearPending();
    }

    private async Task<string> FreeSlugAsync(string slug, CancellationToken ct)
    {
        var stem = slug.Length > WebsiteRules.MaxSlugLength - 8 ? slug[..(WebsiteRules.MaxSlugLength - 8)].TrimEnd('-') : slug;
        for (var n = 1; ; n++)
        {
            var candidate = n == 1 ? stem : $"{stem}-{n}";
            if (!await db.Set<Website>().AnyAsync(w => w.Slug == candidate, ct))
                return candidate;
        }
    }

    private LegacyWebsitePlan PlanWebsite(SiteRows site)
    {
        var plan = new LegacyWebsitePlan();
        var slugs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in site.Of(LegacyDatabases.Content, "contentTypes"))
        {
            var type = LegacyValues.AsObject(row.Value);
            var name = LegacyValues.Text(type, "name") is { Length: > 0 } n ? n.Trim() : "Type " + row.Key;
            if (name.Length > WebsiteRules.MaxNameLength) name = name[..WebsiteRules.MaxNameLength];
            var slug = WebsiteRules.Slugify(LegacyValues.Text(type, "slug") is { Length: > 0 } s ? s : name);
            for (var i = 2; !slugs.Add(slug); i++)
                slug = $"{WebsiteRules.Slugify(name)}-{i}";
            var (fields, dropped) = LegacyFields(type["schema"]);
            plan.Types.Add((row, name, slug, fields));
            if (dropped.Count > 0)
                ledger.Problem(row, $"Fields kept only in the website data content section (not valid Catalyst fields): {string.Join(", ", dropped)}.");
        }
        foreach (var row in site.Of(LegacyDatabases.Content, "contentItems"))
            plan.Items.Add(row);
        foreach (var row in site.Of(LegacyDatabases.Assets, "assets"))
            plan.Assets.Add((row, null));
        plan.Folders.AddRange(site.Of(LegacyDatabases.Assets, "folders"));
        foreach (var row in site.Of(LegacyDatabases.Assets, "thumbnails"))
            plan.Skipped.Add((row, "Thumbnails are derived data: not imported."));
        foreach (var row in site.Of(LegacyDatabases.Config, "cache"))
            plan.Skipped.Add((row, "Build cache entries are derived data: not imported."));
        foreach (var row in site.Of(LegacyDatabases.Config, "config"))
        {
            if (ConfigTooDeep(row) is { } tooDeep)
                plan.Refused.Add((row, tooDeep));
            else
                plan.Embedded.Add(row);
        }
        foreach (var table in new[] { "conversations", "messages", "pinnedContext" })
            foreach (var row in site.Of(LegacyDatabases.AiContext, table))
            {
                plan.Embedded.Add(row);
                plan.AiContext.Add(row);
            }
        var known = new HashSet<(string, string)>
        {
            (LegacyDatabases.Content, "contentTypes"), (LegacyDatabases.Content, "contentItems"), (LegacyDatabases.Assets, "assets"),
            (LegacyDatabases.Assets, "folders"), (LegacyDatabases.Assets, "thumbnails"), (LegacyDatabases.Config, "cache"), (LegacyDatabases.Config, "config"),
            (LegacyDatabases.AiContext, "conversations"), (LegacyDatabases.AiContext, "messages"), (LegacyDatabases.AiContext, "pinnedContext"),
        };
        foreach (var (file, table, row) in site.All())
            if (!known.Contains((LegacyValues.WebsiteDatabase(file.Database)!.Value.Part, table)))
                plan.Skipped.Add((row, $"Unknown table '{table}': not imported."));
        return plan;
    }

    private static JsonNode? ConfigValue(LegacyRow row) => row.Value is JsonObject o && o.ContainsKey("value") ? o["value"] : row.Value;

    /// <summary>A config value lands two levels down in the website's metadata (<c>config.key</c>).</summary>
    private static string? ConfigTooDeep(LegacyRow row) => LegacyValues.TooDeep(ConfigValue(row), 2, "the website's metadata (config.key)");

    /// <summary>The legacy schema (an object with <c>fields</c>, or that object as a JSON string) as valid Catalyst fields.</summary>
    private static (List<ContentField> Fields, List<string> Dropped) LegacyFields(JsonNode? schema)
    {
        if (schema is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            try { schema = JsonNode.Parse(v.GetValue<string>()); }
            catch (JsonException) { return ([], ["(the schema string does not parse)"]); }
        }
        var list = schema is JsonObject o ? o["fields"] as JsonArray : schema as JsonArray;
        var fields = new List<ContentField>();
        var dropped = new List<string>();
        foreach (var node in list ?? [])
        {
            if (node is not JsonObject field)
                continue;
            var name = LegacyValues.Text(field, "name") ?? LegacyValues.Text(field, "key") ?? "";
            var type = LegacyValues.Text(field, "type") ?? FieldTypes.Text;
            type = type switch
            {
                "string" or "slug" or "url" or "email" or "select" => FieldTypes.Text,
                "markdown" or "html" or "richtext" or "rich-text" => FieldTypes.RichText,
                "datetime" => FieldTypes.Date,
                "array" => FieldTypes.List,
                _ => type,
            };
            var candidate = new ContentField(name, type, LegacyValues.Flag(field, "required"), Of: type == FieldTypes.List ? FieldTypes.Text : null);
            var errors = new Dictionary<string, string[]>();
            var valid = ContentSchema.ValidFields([.. fields, candidate], errors);
            if (errors.Count == 0 && fields.Count < ContentSchema.MaxFields)
                fields = valid;
            else
                dropped.Add(name.Length > 0 ? name : "(unnamed)");
        }
        return (fields, dropped);
    }

    /// <summary>Counts the plan's rows as the write would (a dry run, or a website that landed earlier).</summary>
    private void Count(LegacyWebsitePlan plan)
    {
        var typeIds = plan.Types.ToDictionary(t => t.Row.Key, t => Guid.NewGuid(), StringComparer.Ordinal);
        foreach (var type in plan.Types)
            ledger.Land(type.Row, LegacyTargetKinds.ContentType, typeIds[type.Row.Key].ToString());
        foreach (var item in plan.Items)
            MapItem(item, typeIds, plan.Types.ToDictionary(t => t.Row.Key, t => t.Fields, StringComparer.Ordinal), null);
        foreach (var asset in plan.Assets)
        {
            if (LegacyBlobWriter.BytesOf(asset.Row, "blob", "data") is null)
                ledger.Count(asset.Row, LegacyOutcome.Failed, "The asset has no bytes (no blob or data).");
            else
            {
                ledger.Tally.BlobsImported++;
                ledger.Tally.BlobBytes += LegacyBlobWriter.BytesOf(asset.Row, "blob", "data")!.Bytes.Length;
                ledger.Land(asset.Row, LegacyTargetKinds.Asset, Guid.NewGuid().ToString());
            }
        }
        foreach (var row in plan.Folders.Concat(plan.Embedded))
            ledger.Land(row, LegacyTargetKinds.Embedded, "website");
        foreach (var (row, reason) in plan.Skipped)
            ledger.Count(row, LegacyOutcome.Skipped, reason);
        foreach (var (row, reason) in plan.Refused)
            ledger.Count(row, LegacyOutcome.Failed, reason);
    }

    /// <summary>
    /// Outside any transaction (chunks are written on their own connection): the asset ids,
    /// and the three data sections stored as blobs.
    /// </summary>
    private async Task<(Dictionary<LegacyRow, Guid> AssetIds, Dictionary<string, BlobInfo?> Sections)> PrepareAsync(
        LegacyWebsitePlan plan, Dictionary<LegacyRow, BlobInfo?> stored, CancellationToken ct)
    {
        var assetIds = new Dictionary<LegacyRow, Guid>(ReferenceEqualityComparer.Instance);
        var assetList = new JsonArray();
        foreach (var (row, _) in plan.Assets)
        {
            var legacy = LegacyValues.AsObject(row.Value);
            var entry = LegacyValues.Rest(legacy);
            entry.Remove("blob");
            entry.Remove("data");
            entry["folderPath"] = plan.FolderPath(LegacyValues.Text(legacy, "folderId"));
            if (stored.GetValueOrDefault(row) is { } blob)
            {
                assetIds[row] = Guid.CreateVersion7();
                entry["assetId"] = assetIds[row].ToString();
                entry["sha256"] = blob.Sha256;
            }
            else
            {
                entry["assetId"] = null;
            }
            assetList.Add(entry);
        }

        var sections = new Dictionary<string, BlobInfo?>();
        if (plan.Types.Count > 0 || plan.Items.Count > 0)
            sections[WebsiteSections.Content] = await blobs.WriteJsonAsync(new JsonObject
            {
                ["contentTypes"] = new JsonArray(plan.Types.Select(t => t.Row.Value?.DeepClone()).ToArray()),
                ["contentItems"] = new JsonArray(plan.Items.Select(i => i.Value?.DeepClone()).ToArray()),
            }, ct);
        if (plan.Assets.Count > 0 || plan.Folders.Count > 0)
            sections[WebsiteSections.Assets] = await blobs.WriteJsonAsync(new JsonObject
            {
                ["assets"] = assetList,
                ["folders"] = new JsonArray(plan.Folders.Select(f => f.Value?.DeepClone()).ToArray()),
            }, ct);
        if (plan.AiContext.Count > 0)
            sections[WebsiteSections.AiContext] = await blobs.WriteJsonAsync(new JsonObject
            {
                ["conversations"] = new JsonArray(plan.AiContext.Where(r => r.Table == "conversations").Select(r => r.Value?.DeepClone()).ToArray()),
                ["messages"] = new JsonArray(plan.AiContext.Where(r => r.Table == "messages").Select(r => r.Value?.DeepClone()).ToArray()),
                ["pinnedContext"] = new JsonArray(plan.AiContext.Where(r => r.Table == "pinnedContext").Select(r => r.Value?.DeepClone()).ToArray()),
            }, ct);
        return (assetIds, sections);
    }

    /// <summary>Inside the website's transaction: its model, assets and first data version.</summary>
    private async Task WriteAsync(LegacyWebsitePlan plan, Guid websiteId, Dictionary<LegacyRow, BlobInfo?> stored,
        Dictionary<LegacyRow, Guid> assetIds, Dictionary<string, BlobInfo?> sections, CancellationToken ct)
    {
        var typeIds = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var (row, name, slug, fields) in plan.Types)
        {
            var type = await contentModel.CreateTypeAsync(ledger.Owner, websiteId, new ContentTypeInput(name, slug, fields), ct);
            typeIds[row.Key] = type.Id;
            ledger.Land(row, LegacyTargetKinds.ContentType, type.Id.ToString(), extra: LegacyValues.Rest(LegacyValues.AsObject(row.Value), "id", "name", "slug").ToJsonString());
        }
        var fieldsByType = plan.Types.ToDictionary(t => t.Row.Key, t => t.Fields, StringComparer.Ordinal);
        foreach (var item in plan.Items)
            MapItem(item, typeIds, fieldsByType, websiteId);

        foreach (var (row, _) in plan.Assets)
        {
            if (stored.GetValueOrDefault(row) is not { } blob || !assetIds.TryGetValue(row, out var id))
            {
                ledger.Count(row, LegacyOutcome.Failed, "The asset has no bytes (no blob or data), or they did not hash as read.");
                continue;
            }
            var legacy = LegacyValues.AsObject(row.Value);
            var mediaType = LegacyValues.Text(legacy, "mimeType") ?? LegacyBlobWriter.BytesOf(row, "blob", "data")?.ContentType;
            await assets.AddAsync(id, ledger.Owner.UserId, LegacyValues.Text(legacy, "name") ?? row.Key, mediaType, blob, websiteId, null, ct);
            ledger.Land(row, LegacyTargetKinds.Asset, id.ToString(), sha256: blob.Sha256);
            ledger.Tally.BlobsImported++;
            ledger.Tally.BlobBytes += blob.Length;
        }
        foreach (var row in plan.Folders.Concat(plan.Embedded))
            ledger.Land(row, LegacyTargetKinds.Embedded, websiteId.ToString());
        foreach (var (row, reason) in plan.Skipped)
            ledger.Count(row, LegacyOutcome.Skipped, reason);
        foreach (var (row, reason) in plan.Refused)
            ledger.Count(row, LegacyOutcome.Failed, reason);

        if (sections.Count > 0)
        {
            await db.SaveChangesAsync(ct);
            await websiteData.CommitSectionsAsync(ledger.Owner, websiteId, 0, WebsiteDataSources.Migration, sections, ct);
        }
    }

    private void MapItem(LegacyRow row, Dictionary<string, Guid> typeIds, Dictionary<string, List<ContentField>> fieldsByType, Guid? websiteId)
    {
        var legacy = LegacyValues.AsObject(row.Value);
        var typeKey = LegacyValues.Text(legacy, "contentTypeId");
        if (typeKey is null || !typeIds.TryGetValue(typeKey, out var typeId))
        {
            ledger.Count(row, LegacyOutcome.Failed, $"Its content type ({typeKey ?? "none"}) is missing; the row is kept in the website data content section.");
            return;
        }
        var data = legacy["data"] as JsonObject ?? new JsonObject { ["value"] = legacy["data"]?.DeepClone() };
        var element = LegacyValues.Element(data);
        var errors = ContentSchema.ValidateData(fieldsByType[typeKey], element, _ => true);
        var published = string.Equals(LegacyValues.Text(legacy, "status"), "published", StringComparison.OrdinalIgnoreCase);
        if (errors.Count > 0)
        {
            ledger.Problem(row, "Does not validate against its type (imported unchanged as a draft): "
                + string.Join(" ", errors.SelectMany(e => e.Value)));
            published = false;
        }
        // An item must fit in one part of a website backup (room left for its envelope), or the website's export could not be imported again.
        var json = data.ToJsonString();
        var maxItemBytes = settings.Value.Websites.MaxBackupPartBytes - 4096;
        if (Encoding.UTF8.GetByteCount(json) > maxItemBytes)
        {
            ledger.Count(row, LegacyOutcome.Failed, $"Its data is larger than {maxItemBytes} bytes, the most a content item holds; the row is kept in the website data content section.");
            return;
        }
        var id = websiteId is null ? Guid.NewGuid() : Guid.CreateVersion7();
        if (websiteId is { } site)
        {
            db.Set<ContentItem>().Add(new ContentItem
            {
                Id = id,
                WebsiteId = site,
                ContentTypeId = typeId,
                Data = json,
                Status = published ? ContentItemStatus.Published : ContentItemStatus.Draft,
                CreatedAt = LegacyValues.UtcTime(legacy, "createdAt") ?? default,
            });
        }
        ledger.Land(row, LegacyTargetKinds.ContentItem, id.ToString(), extra: LegacyValues.Rest(legacy, "id", "contentTypeId", "data", "status").ToJsonString());
    }
}
