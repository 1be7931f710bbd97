using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Catalyst.Data.Assets;
using Catalyst.Data.Chat;
using Catalyst.Data.Common;
using Catalyst.Data.LegacyImport.Reading;
using Catalyst.Data.Projects;
using Catalyst.Data.Storage;
using Catalyst.Data.Websites;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.LegacyImport;

/// <summary>
/// Maps the rows of legacy dumps onto Catalyst (FORMAT.md §4) through the domain services, owned by
/// the migrating user. In a dry run it checks and counts exactly as an apply would and writes
/// nothing. In an apply, every unit (a website with everything in it, a project, a chat session, a
/// batch of messages or assets, the preferences) commits in one transaction together with the
/// source keys of its rows, so a run killed at any point is completed by running it again, and a
/// row that already landed is never written twice.
/// </summary>
public sealed class LegacyImportRunner(
    CatalystDbContext db,
    ContentStore content,
    WebsiteService websites,
    ContentModelService contentModel,
    WebsiteDataService websiteData,
    AssetService assets,
    ProjectService projects,
    ChatService chat,
    PreferencesService preferences,
    IOptions<ChatOptions> chatOptions,
    IOptions<Configuration.CatalystOptions> settings,
    TimeProvider time,
    ILogger<LegacyImportRunner> logger)
{
    private const int MessageBatch = 500;
    private const int AssetBatch = 50;

    /// <summary>
    /// Why a unit failed, as its problem entry says it: a domain error's or the data's own sentence; a
    /// database or programming fault is logged under the migration's id and named by it (SPEC §16).
    /// </summary>
    private string Reason(Exception ex, string? what)
    {
        var reason = ex switch
        {
            ValidationFailedException invalid => string.Join(" ", invalid.Errors.Values.SelectMany(e => e)),
            DomainException or JsonException => ex.Message,
            _ => null,
        };
        if (reason is not null)
            return what is null ? reason : $"{what}: {reason}";
        logger.LogError(ex, "Legacy migration {MigrationId}: a unit could not be written", _migration.Id);
        return $"{what ?? "The row could not be written"} because of an internal error (reference {_migration.Id}).";
    }

    // The website plan writes through the same services.
    private CatalystDbContext Db => db;
    private ContentModelService ContentModel => contentModel;
    private WebsiteDataService WebsiteData => websiteData;
    private AssetService Assets => assets;

    private LegacyImportMigration _migration = null!;
    private Actor _owner = null!;
    private bool _apply;
    private LegacyTally _tally = null!;
    private LegacyDumpSet _dumps = null!;
    private Func<long, long, Task> _progress = null!;
    private readonly Dictionary<string, LegacySourceKey> _known = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _planned = new(StringComparer.Ordinal);
    private readonly List<LegacySourceKey> _pending = [];
    private readonly JsonObject _preferences = new();
    private readonly List<(LegacyRow Row, string App, string Key)> _preferenceRows = [];
    private long _filesDone;

    public async Task<LegacyTally> RunAsync(LegacyImportMigration migration, Actor owner, LegacyDumpSet dumps, bool apply,
        Func<long, long, Task> progress, CancellationToken ct)
    {
        (_migration, _owner, _apply, _dumps, _progress, _tally) = (migration, owner, apply, dumps, progress, new LegacyTally());
        foreach (var key in await db.Set<LegacySourceKey>().AsNoTracking().Where(k => k.UserId == owner.UserId).ToListAsync(ct))
        {
            _known[Id(key.Database, key.Table, key.Key)] = key;
            RememberStoreTarget(key.Database, key.Table, key.Key, key.TargetId);
        }

        await dumps.DiscoverAsync(ct);
        var total = dumps.Files.Count + 1;
        await progress(0, total);

        // Dependencies first: websites (with their per-website databases), then projects before
        // their sessions and assets, sessions before messages; preferences last, in one write.
        var global = await ReadAllAsync(d => d == LegacyDatabases.Global, ct);
        foreach (var file in global)
            await MapGlobalAsync(file, ct);
        foreach (var file in await ReadAllAsync(d => d.StartsWith(LegacyDatabases.LocalStoragePrefix, StringComparison.Ordinal), ct))
            MapLocalStorage(file);

        var websiteRows = global.SelectMany(f => f.Of("websites")).ToList();
        var seenWebsites = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in websiteRows)
        {
            var legacyId = row.Key;
            if (!seenWebsites.Add(legacyId))
            {
                Count(row, Outcome.Failed, "The same website id appears twice; the first row was used.");
                continue;
            }
            var files = new List<LegacyFileRows>();
            foreach (var file in dumps.FilesOf(d => LegacyValues.WebsiteDatabase(d)?.WebsiteId == legacyId))
                files.Add(await ReadOneAsync(file, ct));
            await MapWebsiteAsync(row, files, ct);
        }
        // Per-website databases whose website is not in catalyst_global: reported, nothing written.
        foreach (var file in dumps.FilesOf(d => LegacyValues.WebsiteDatabase(d) is { } w && !seenWebsites.Contains(w.WebsiteId)))
        {
            var rows = await ReadOneAsync(file, ct);
            foreach (var row in rows.Rows.Values.SelectMany(r => r))
                Count(row, Outcome.Failed, $"Its website ({LegacyValues.WebsiteDatabase(rows.Database)!.Value.WebsiteId}) is not in catalyst_global.websites.");
        }

        foreach (var file in dumps.FilesOf(d => d == LegacyDatabases.Kijko))
            await MapKijkoAsync(await ReadOneAsync(file, ct), ct);
        await MapStoreRowsAsync(ct);

        foreach (var file in dumps.FilesOf(d => !IsKnownDatabase(d)))
        {
            var rows = await ReadOneAsync(file, ct);
            foreach (var row in rows.Rows.Values.SelectMany(r => r))
                Count(row, Outcome.Skipped, rows.Database.Length == 0 ? "The file is not a known dump." : $"Unknown database '{rows.Database}': not imported.");
            foreach (var table in rows.Tables.Where(t => !rows.Rows.ContainsKey(t.Name) || rows.Rows[t.Name].Count == 0))
                _tally.Touch(table.Database, table.Name);
        }

        await CommitPreferencesAsync(ct);
        await progress(total, total);
        return _tally;
    }

    private static bool IsKnownDatabase(string database) =>
        database == LegacyDatabases.Global || database == LegacyDatabases.Kijko
        || database.StartsWith(LegacyDatabases.LocalStoragePrefix, StringComparison.Ordinal) || LegacyValues.WebsiteDatabase(database) is not null;

    // ---- reading ----

    private async Task<List<LegacyFileRows>> ReadAllAsync(Func<string, bool> database, CancellationToken ct)
    {
        var result = new List<LegacyFileRows>();
        foreach (var file in _dumps.FilesOf(database))
            result.Add(await ReadOneAsync(file, ct));
        return result;
    }

    private async Task<LegacyFileRows> ReadOneAsync(LegacySourceFile file, CancellationToken ct)
    {
        var rows = await _dumps.ReadAsync(file, ct);
        foreach (var table in rows.Tables)
            _tally.Touch(table.Database, table.Name);
        _tally.BlobsSource += rows.Rows.Values.Sum(r => r.Sum(x => x.Blobs.Count));
        foreach (var problem in rows.Problems)
        {
            // A row the reader could not decode is a source row that failed; a file- or table-level problem is listed.
            if (problem.Key is not null)
            {
                _tally.Source(problem.Database, problem.Table);
                _tally.Failed(problem.Database, problem.Table);
            }
            _tally.Problem(problem.Database, problem.Table, problem.Key, problem.Message, problem.File);
        }
        await _progress(++_filesDone, _dumps.Files.Count + 1);
        return rows;
    }

    // ---- catalyst_global and localStorage ----

    private Task MapGlobalAsync(LegacyFileRows file, CancellationToken ct)
    {
        foreach (var (table, rows) in file.Rows)
        {
            if (table == "websites")
                continue; // mapped with their per-website databases
            foreach (var row in rows)
            {
                if (table == "metadata")
                {
                    var value = row.Value is JsonObject o && o.ContainsKey("value") ? o["value"] : row.Value;
                    AddPreference(row, LegacyDatabases.Global, row.Key, value);
                }
                else
                {
                    Count(row, Outcome.Skipped, $"Unknown table '{table}' of catalyst_global: not imported.");
                }
            }
        }
        return Task.CompletedTask;
    }

    private static readonly string[] CredentialWords = ["token", "password", "secret", "apikey", "api_key", "credential", "refresh", "jwt", "cookie"];

    private void MapLocalStorage(LegacyFileRows file)
    {
        var app = file.Database[LegacyDatabases.LocalStoragePrefix.Length..];
        foreach (var row in file.Rows.Values.SelectMany(r => r))
        {
            if (HoldsCredential(row))
            {
                Count(row, Outcome.Skipped, "Holds a credential or session token: never imported.");
                continue;
            }
            AddPreference(row, app, row.Key, row.Value);
            CollectStoreRows(row);
        }
    }

    private readonly List<LegacyRow> _storeProjects = [];
    private readonly List<LegacyRow> _storeSessions = [];
    private readonly List<LegacyRow> _storeMessages = [];

    /// <summary>
    /// Chat sessions (with their messages) and projects a zustand store kept: each becomes a row of
    /// its own (table <c>&lt;key&gt;.sessions</c>, …), merged with the kijko_db rows of the same id.
    /// </summary>
    private void CollectStoreRows(LegacyRow row)
    {
        if (row.Kind != LegacyValueKind.ZustandStore || (row.Value as JsonObject)?["state"] is not JsonObject state)
            return;
        IEnumerable<JsonObject> Items(string name) => (state[name] as JsonArray ?? []).OfType<JsonObject>().Where(o => LegacyValues.Text(o, "id") is { Length: > 0 });
        foreach (var project in Items("projects"))
            _storeProjects.Add(row with { Table = row.Key + ".projects", Key = LegacyValues.Text(project, "id")!, Kind = LegacyValueKind.Row, Value = project.DeepClone(), Blobs = [] });
        foreach (var session in Items("sessions"))
        {
            var sessionId = LegacyValues.Text(session, "id")!;
            var copy = (JsonObject)session.DeepClone();
            copy.Remove("messages");
            _storeSessions.Add(row with { Table = row.Key + ".sessions", Key = sessionId, Kind = LegacyValueKind.Row, Value = copy, Blobs = [] });
            foreach (var message in (session["messages"] as JsonArray ?? []).OfType<JsonObject>().Where(o => LegacyValues.Text(o, "id") is { Length: > 0 }))
            {
                var m = (JsonObject)message.DeepClone();
                m["sessionId"] ??= sessionId;
                _storeMessages.Add(row with { Table = row.Key + ".messages", Key = LegacyValues.Text(m, "id")!, Kind = LegacyValueKind.Row, Value = m, Blobs = [] });
            }
        }
    }

    private async Task MapStoreRowsAsync(CancellationToken ct)
    {
        foreach (var row in _storeProjects)
        {
            if (Target(LegacyDatabases.Kijko, "projects", row.Key) is not null && Existing(row) is null)
                Count(row, Outcome.Skipped, "The kijko_db row of the same id wins.");
            else
                await MapProjectAsync(row, ct);
        }
        await FlushUnitsAsync(ct);
        foreach (var row in _storeSessions)
        {
            if (Target(LegacyDatabases.Kijko, "chatSessions", row.Key) is not null && Existing(row) is null)
                Count(row, Outcome.Skipped, "The kijko_db row of the same id wins.");
            else
                await MapSessionAsync(row, ct);
        }
        await FlushSessionsAsync(ct);
        var fromDatabase = _storeMessages.Where(r => Target(LegacyDatabases.Kijko, "chatMessages", r.Key) is not null && Existing(r) is null).ToHashSet(ReferenceEqualityComparer.Instance);
        foreach (var row in fromDatabase.Cast<LegacyRow>())
            Count(row, Outcome.Skipped, "The kijko_db row of the same id wins.");
        await MapMessagesAsync(_storeMessages.Where(r => !fromDatabase.Contains(r)).ToList(), ct);
    }

    private static bool HoldsCredential(LegacyRow row)
    {
        var key = row.Key.ToLowerInvariant();
        if (key.Contains("auth", StringComparison.Ordinal) || CredentialWords.Any(w => key.Contains(w, StringComparison.Ordinal)))
            return true;
        var state = row.Kind == LegacyValueKind.ZustandStore ? (row.Value as JsonObject)?["state"] as JsonObject : row.Value as JsonObject;
        return state is not null && state.Select(p => p.Key.ToLowerInvariant()).Any(k => CredentialWords.Any(w => k.Contains(w, StringComparison.Ordinal)));
    }

    private void AddPreference(LegacyRow row, string app, string key, JsonNode? value)
    {
        if (Existing(row) is { } outcome)
        {
            Count(row, outcome.Outcome, outcome.Message);
            return;
        }
        if (LegacyValues.TooDeep(value, 3, "the preferences (legacy.app.key)") is { } tooDeep)
        {
            Count(row, Outcome.Failed, tooDeep);
            return;
        }
        var legacy = _preferences["legacy"] as JsonObject ?? (JsonObject)(_preferences["legacy"] = new JsonObject());
        var section = legacy[app] as JsonObject ?? (JsonObject)(legacy[app] = new JsonObject());
        section[key] = value?.DeepClone();
        _preferenceRows.Add((row, app, key));
    }

    private async Task CommitPreferencesAsync(CancellationToken ct)
    {
        if (_preferenceRows.Count == 0)
            return;
        var current = await preferences.GetAsync(_owner, ct);
        var merged = JsonNode.Parse(current.Preferences, documentOptions: JsonLimits.Value) as JsonObject ?? new JsonObject();
        var legacy = merged["legacy"] as JsonObject ?? (JsonObject)(merged["legacy"] = new JsonObject());
        foreach (var (app, values) in (JsonObject)_preferences["legacy"]!)
        {
            var section = legacy[app] as JsonObject ?? (JsonObject)(legacy[app] = new JsonObject());
            foreach (var (key, value) in (JsonObject)values!)
                section[key] = value?.DeepClone();
        }
        var element = LegacyValues.Element(merged);
        var errors = new Dictionary<string, string[]>();
        WebsiteRules.ValidJsonObject(element, errors, "preferences");
        if (errors.Count > 0)
        {
            foreach (var (row, _, _) in _preferenceRows)
                Count(row, Outcome.Failed, "The preferences would exceed their size limit: " + string.Join(" ", errors.Values.SelectMany(v => v)));
            return;
        }
        foreach (var (row, app, key) in _preferenceRows)
            Land(row, LegacyTargetKinds.Preference, "preferences", extra: new JsonArray("legacy", app, key).ToJsonString());
        if (_apply)
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            db.Set<LegacySourceKey>().AddRange(_pending);
            await preferences.PutAsync(_owner, element, null, ct);
            await tx.CommitAsync(ct);
        }
        _pending.Clear();
    }

    // ---- websites ----

    private sealed class SiteRows(IReadOnlyList<LegacyFileRows> files)
    {
        public IEnumerable<LegacyRow> Of(string part, string table) =>
            files.Where(f => LegacyValues.WebsiteDatabase(f.Database)?.Part == part).SelectMany(f => f.Of(table));

        public IEnumerable<(LegacyFileRows File, string Table, LegacyRow Row)> All() =>
            files.SelectMany(f => f.Rows.SelectMany(t => t.Value.Select(r => (f, t.Key, r))));

        public bool Has(string part) => files.Any(f => LegacyValues.WebsiteDatabase(f.Database)?.Part == part);
    }

    private async Task MapWebsiteAsync(LegacyRow websiteRow, List<LegacyFileRows> files, CancellationToken ct)
    {
        var site = new SiteRows(files);
        if (Existing(websiteRow) is { } done)
        {
            // Landed earlier (with everything it held, in one transaction): count its rows the same way.
            // Landed earlier, with everything it held, in one transaction: its rows count as they did then.
            Count(websiteRow, done.Outcome, done.Message);
            PlanWebsite(site).Count(this);
            _pending.Clear();
            return;
        }

        var legacy = LegacyValues.AsObject(websiteRow.Value);
        var missing = LegacyDatabases.WebsiteParts.Where(p => !site.Has(p)).ToList();
        if (missing.Count == LegacyDatabases.WebsiteParts.Count)
            _tally.Problem(websiteRow.Database, websiteRow.Table, websiteRow.Key, "Its per-website databases are missing: imported with no data.", websiteRow.File);
        else if (missing.Count > 0)
            _tally.Problem(websiteRow.Database, websiteRow.Table, websiteRow.Key, $"Missing per-website databases: {string.Join(", ", missing)}.", websiteRow.File);

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
            Count(websiteRow, Outcome.Failed, reason);
            foreach (var (_, _, row) in site.All())
                Count(row, Outcome.Failed, "Its website could not be created.");
            return;
        }

        var plan = PlanWebsite(site);
        if (!_apply)
        {
            Land(websiteRow, LegacyTargetKinds.Website, Guid.NewGuid().ToString());
            plan.Count(this);
            _pending.Clear();
            return;
        }

        // Blobs first, outside the transaction: unreferenced until it commits, garbage if it never does.
        var stored = await StoreBlobsAsync(plan.Assets.Select(a => a.Row).ToList(), "blob", "data", ct);
        var (assetIds, sections) = await plan.PrepareAsync(this, stored, ct);
        var snapshot = _tally.Snapshot();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            var slug = await FreeSlugAsync(WebsiteRules.Slugify(name), ct);
            var website = await websites.CreateAsync(_owner, new WebsiteInput(name, slug, description, category, metadataElement), ct);
            Land(websiteRow, LegacyTargetKinds.Website, website.Id.ToString());
            await plan.WriteAsync(this, website.Id, stored, assetIds, sections, ct);
            db.Set<LegacySourceKey>().AddRange(_pending);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (Exception ex) when (ex is DomainException or DbUpdateException or JsonException or InvalidOperationException or ArgumentException)
        {
            await tx.RollbackAsync(CancellationToken.None);
            db.ChangeTracker.Clear();
            Forget(snapshot);
            Count(websiteRow, Outcome.Failed, Reason(ex, "The website could not be written"));
            foreach (var (_, _, row) in site.All())
                Count(row, Outcome.Failed, "Its website could not be written.");
        }
        _pending.Clear();
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

    private WebsitePlan PlanWebsite(SiteRows site)
    {
        var plan = new WebsitePlan();
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
                _tally.Problem(row.Database, row.Table, row.Key, $"Fields kept only in the website data content section (not valid Catalyst fields): {string.Join(", ", dropped)}.", row.File);
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

    private sealed class WebsitePlan
    {
        public List<(LegacyRow Row, string Name, string Slug, List<ContentField> Fields)> Types { get; } = [];
        public List<LegacyRow> Items { get; } = [];
        public List<(LegacyRow Row, string? Unused)> Assets { get; } = [];
        public List<LegacyRow> Folders { get; } = [];
        public List<LegacyRow> Embedded { get; } = [];
        public List<LegacyRow> AiContext { get; } = [];
        public List<(LegacyRow Row, string Reason)> Skipped { get; } = [];
        /// <summary>Rows that cannot be stored where they go (too deep for it): failed, with the reason.</summary>
        public List<(LegacyRow Row, string Reason)> Refused { get; } = [];

        /// <summary>Counts the rows as the write would (dry run).</summary>
        public void Count(LegacyImportRunner runner)
        {
            var typeIds = Types.ToDictionary(t => t.Row.Key, t => Guid.NewGuid(), StringComparer.Ordinal);
            foreach (var type in Types)
                runner.Land(type.Row, LegacyTargetKinds.ContentType, typeIds[type.Row.Key].ToString());
            foreach (var item in Items)
                runner.MapItem(item, typeIds, Types.ToDictionary(t => t.Row.Key, t => t.Fields, StringComparer.Ordinal), null);
            foreach (var asset in Assets)
            {
                if (runner.AssetBytes(asset.Row, "blob", "data") is null)
                    runner.Count(asset.Row, Outcome.Failed, "The asset has no bytes (no blob or data).");
                else
                {
                    runner._tally.BlobsImported++;
                    runner._tally.BlobBytes += runner.AssetBytes(asset.Row, "blob", "data")!.Bytes.Length;
                    runner.Land(asset.Row, LegacyTargetKinds.Asset, Guid.NewGuid().ToString());
                }
            }
            foreach (var row in Folders.Concat(Embedded))
                runner.Land(row, LegacyTargetKinds.Embedded, "website");
            foreach (var (row, reason) in Skipped)
                runner.Count(row, Outcome.Skipped, reason);
            foreach (var (row, reason) in Refused)
                runner.Count(row, Outcome.Failed, reason);
        }

        /// <summary>
        /// Outside any transaction (chunks are written on their own connection): the asset ids,
        /// and the three data sections stored as blobs.
        /// </summary>
        public async Task<(Dictionary<LegacyRow, Guid> AssetIds, Dictionary<string, BlobInfo?> Sections)> PrepareAsync(
            LegacyImportRunner runner, Dictionary<LegacyRow, BlobInfo?> stored, CancellationToken ct)
        {
            var assetIds = new Dictionary<LegacyRow, Guid>(ReferenceEqualityComparer.Instance);
            var assetList = new JsonArray();
            foreach (var (row, _) in Assets)
            {
                var legacy = LegacyValues.AsObject(row.Value);
                var entry = LegacyValues.Rest(legacy);
                entry.Remove("blob");
                entry.Remove("data");
                entry["folderPath"] = FolderPath(LegacyValues.Text(legacy, "folderId"));
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
            if (Types.Count > 0 || Items.Count > 0)
                sections[WebsiteSections.Content] = await runner.WriteJsonAsync(new JsonObject
                {
                    ["contentTypes"] = new JsonArray(Types.Select(t => t.Row.Value?.DeepClone()).ToArray()),
                    ["contentItems"] = new JsonArray(Items.Select(i => i.Value?.DeepClone()).ToArray()),
                }, ct);
            if (Assets.Count > 0 || Folders.Count > 0)
                sections[WebsiteSections.Assets] = await runner.WriteJsonAsync(new JsonObject
                {
                    ["assets"] = assetList,
                    ["folders"] = new JsonArray(Folders.Select(f => f.Value?.DeepClone()).ToArray()),
                }, ct);
            if (AiContext.Count > 0)
                sections[WebsiteSections.AiContext] = await runner.WriteJsonAsync(new JsonObject
                {
                    ["conversations"] = new JsonArray(AiContext.Where(r => r.Table == "conversations").Select(r => r.Value?.DeepClone()).ToArray()),
                    ["messages"] = new JsonArray(AiContext.Where(r => r.Table == "messages").Select(r => r.Value?.DeepClone()).ToArray()),
                    ["pinnedContext"] = new JsonArray(AiContext.Where(r => r.Table == "pinnedContext").Select(r => r.Value?.DeepClone()).ToArray()),
                }, ct);
            return (assetIds, sections);
        }

        /// <summary>Inside the website's transaction: its model, assets and first data version.</summary>
        public async Task WriteAsync(LegacyImportRunner runner, Guid websiteId, Dictionary<LegacyRow, BlobInfo?> stored,
            Dictionary<LegacyRow, Guid> assetIds, Dictionary<string, BlobInfo?> sections, CancellationToken ct)
        {
            var typeIds = new Dictionary<string, Guid>(StringComparer.Ordinal);
            foreach (var (row, name, slug, fields) in Types)
            {
                var type = await runner.ContentModel.CreateTypeAsync(runner._owner, websiteId, new ContentTypeInput(name, slug, fields), ct);
                typeIds[row.Key] = type.Id;
                runner.Land(row, LegacyTargetKinds.ContentType, type.Id.ToString(), extra: LegacyValues.Rest(LegacyValues.AsObject(row.Value), "id", "name", "slug").ToJsonString());
            }
            var fieldsByType = Types.ToDictionary(t => t.Row.Key, t => t.Fields, StringComparer.Ordinal);
            foreach (var item in Items)
                runner.MapItem(item, typeIds, fieldsByType, websiteId);

            foreach (var (row, _) in Assets)
            {
                if (stored.GetValueOrDefault(row) is not { } blob || !assetIds.TryGetValue(row, out var id))
                {
                    runner.Count(row, Outcome.Failed, "The asset has no bytes (no blob or data), or they did not hash as read.");
                    continue;
                }
                var legacy = LegacyValues.AsObject(row.Value);
                var mediaType = LegacyValues.Text(legacy, "mimeType") ?? runner.AssetBytes(row, "blob", "data")?.ContentType;
                await runner.Assets.AddAsync(id, runner._owner.UserId, LegacyValues.Text(legacy, "name") ?? row.Key, mediaType, blob, websiteId, null, ct);
                runner.Land(row, LegacyTargetKinds.Asset, id.ToString(), sha256: blob.Sha256);
                runner._tally.BlobsImported++;
                runner._tally.BlobBytes += blob.Length;
            }
            foreach (var row in Folders.Concat(Embedded))
                runner.Land(row, LegacyTargetKinds.Embedded, websiteId.ToString());
            foreach (var (row, reason) in Skipped)
                runner.Count(row, Outcome.Skipped, reason);
            foreach (var (row, reason) in Refused)
                runner.Count(row, Outcome.Failed, reason);

            if (sections.Count > 0)
            {
                await runner.Db.SaveChangesAsync(ct);
                await runner.WebsiteData.CommitSectionsAsync(runner._owner, websiteId, 0, WebsiteDataSources.Migration, sections, ct);
            }
        }

        private string? FolderPath(string? folderId)
        {
            var names = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (folderId is not null && seen.Add(folderId))
            {
                var folder = Folders.FirstOrDefault(f => f.Key == folderId);
                if (folder is null)
                    break;
                var o = LegacyValues.AsObject(folder.Value);
                names.Add(LegacyValues.Text(o, "name") ?? folderId);
                folderId = LegacyValues.Text(o, "parentId");
            }
            names.Reverse();
            return names.Count == 0 ? null : "/" + string.Join('/', names);
        }
    }

    private void MapItem(LegacyRow row, Dictionary<string, Guid> typeIds, Dictionary<string, List<ContentField>> fieldsByType, Guid? websiteId)
    {
        var legacy = LegacyValues.AsObject(row.Value);
        var typeKey = LegacyValues.Text(legacy, "contentTypeId");
        if (typeKey is null || !typeIds.TryGetValue(typeKey, out var typeId))
        {
            Count(row, Outcome.Failed, $"Its content type ({typeKey ?? "none"}) is missing; the row is kept in the website data content section.");
            return;
        }
        var data = legacy["data"] as JsonObject ?? new JsonObject { ["value"] = legacy["data"]?.DeepClone() };
        var element = LegacyValues.Element(data);
        var errors = ContentSchema.ValidateData(fieldsByType[typeKey], element, _ => true);
        var published = string.Equals(LegacyValues.Text(legacy, "status"), "published", StringComparison.OrdinalIgnoreCase);
        if (errors.Count > 0)
        {
            _tally.Problem(row.Database, row.Table, row.Key, "Does not validate against its type (imported unchanged as a draft): "
                + string.Join(" ", errors.SelectMany(e => e.Value)), row.File);
            published = false;
        }
        // An item must fit in one part of a website backup (room left for its envelope), or the website's export could not be imported again.
        var json = data.ToJsonString();
        var maxItemBytes = settings.Value.Websites.MaxBackupPartBytes - 4096;
        if (Encoding.UTF8.GetByteCount(json) > maxItemBytes)
        {
            Count(row, Outcome.Failed, $"Its data is larger than {maxItemBytes} bytes, the most a content item holds; the row is kept in the website data content section.");
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
        Land(row, LegacyTargetKinds.ContentItem, id.ToString(), extra: LegacyValues.Rest(legacy, "id", "contentTypeId", "data", "status").ToJsonString());
    }

    // ---- kijko_db ----

    private async Task MapKijkoAsync(LegacyFileRows file, CancellationToken ct)
    {
        foreach (var row in file.Of("projects"))
            await MapProjectAsync(row, ct);
        await FlushUnitsAsync(ct);
        foreach (var row in file.Of("chatSessions"))
            await MapSessionAsync(row, ct);
        await FlushSessionsAsync(ct);
        await MapMessagesAsync(file.Of("chatMessages"), ct);
        await MapProjectAssetsAsync(file.Of("assets"), ct);
        foreach (var row in file.Of("syncQueue"))
            Count(row, Outcome.Skipped, "The browser's upload queue: obsolete once its assets are on the server.");
        foreach (var (table, rows) in file.Rows.Where(t => t.Key is not ("projects" or "chatSessions" or "chatMessages" or "assets" or "syncQueue")))
            foreach (var row in rows)
                Count(row, Outcome.Skipped, $"Unknown table '{table}' of kijko_db: not imported.");
    }

    private async Task MapProjectAsync(LegacyRow row, CancellationToken ct)
    {
        if (Existing(row) is { } done)
        {
            Count(row, done.Outcome, done.Message);
            return;
        }
        var legacy = LegacyValues.AsObject(row.Value);
        var name = LegacyValues.Text(legacy, "name") is { Length: > 0 } n ? n : "Project " + row.Key;
        var description = LegacyValues.Text(legacy, "description");
        var input = new ProjectInput(name.Length > 200 ? name[..200] : name, description, null,
            LegacyValues.Flag(legacy, "archived") ? ProjectStatus.Archived : ProjectStatus.Active);
        var extra = LegacyValues.Rest(legacy, "id", "name", "description", "archived").ToJsonString();
        try
        {
            ProjectRules.Validate(input);
        }
        catch (ValidationFailedException ex)
        {
            Count(row, Outcome.Failed, "Not a valid project: " + string.Join(" ", ex.Errors.Values.SelectMany(v => v)));
            return;
        }
        await UnitAsync(row, async () => (await projects.CreateAsync(_owner, input, ct)).Id, LegacyTargetKinds.Project, extra, ct);
    }

    private async Task MapSessionAsync(LegacyRow row, CancellationToken ct)
    {
        if (Existing(row) is { } done)
        {
            Count(row, done.Outcome, done.Message);
            return;
        }
        var legacy = LegacyValues.AsObject(row.Value);
        var title = (LegacyValues.Text(legacy, "title") ?? "").Trim();
        if (title.Length == 0 || title.Length > ChatRules.MaxTitleLength || !PlainText.IsSingleLine(title))
        {
            var clean = new string(title.Where(ch => !char.IsControl(ch) && !char.IsSurrogate(ch) && !PlainText.IsBidiControl(ch)).ToArray()).Trim();
            clean = clean.Length == 0 ? "Untitled chat" : clean[..Math.Min(clean.Length, ChatRules.MaxTitleLength)];
            if (title.Length > 0)
                _tally.Problem(row.Database, row.Table, row.Key, "The title was not plain text of at most 200 characters; the original is kept with the row's other fields.", row.File);
            title = clean;
        }
        Guid? projectId = null;
        if (LegacyValues.Text(legacy, "projectId") is { Length: > 0 } projectKey)
        {
            if (ProjectOrSession("projects", projectKey) is { } target && Guid.TryParse(target, out var p))
                projectId = p;
            else
                _tally.Problem(row.Database, row.Table, row.Key, $"Its project ({projectKey}) is missing: the session is imported without a project.", row.File);
        }
        var extra = LegacyValues.Rest(legacy, "id", "projectId").ToJsonString();
        var input = new ChatSessionInput(title, projectId);
        if (!_apply)
        {
            await UnitAsync(row, () => Task.FromResult(Guid.Empty), LegacyTargetKinds.ChatSession, extra, ct);
            return;
        }
        _sessions.Add((row, input, extra));
        if (_sessions.Count >= SessionBatch)
            await FlushSessionsAsync(ct);
    }

    private const int SessionBatch = 500;
    private readonly List<(LegacyRow Row, ChatSessionInput Input, string Extra)> _sessions = [];

    /// <summary>Sessions in one save (the service's batch create); if it refuses the batch, each goes alone so only the refused one fails.</summary>
    private async Task FlushSessionsAsync(CancellationToken ct)
    {
        if (_sessions.Count == 0)
            return;
        var batch = _sessions.ToList();
        _sessions.Clear();
        var snapshot = _tally.Snapshot();
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            try
            {
                var created = await chat.CreateSessionsAsync(_owner, batch.Select(b => b.Input).ToList(), ct);
                for (var i = 0; i < batch.Count; i++)
                    Land(batch[i].Row, LegacyTargetKinds.ChatSession, created[i].Id.ToString(), extra: batch[i].Extra);
                db.Set<LegacySourceKey>().AddRange(_pending);
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                _pending.Clear();
                return;
            }
            catch (Exception ex) when (ex is DomainException or DbUpdateException)
            {
                await tx.RollbackAsync(CancellationToken.None);
                db.ChangeTracker.Clear();
                Forget(snapshot);
            }
        }
        foreach (var (row, input, extra) in batch)
            await UnitAsync(row, async () => (await chat.CreateSessionAsync(_owner, input, ct)).Id, LegacyTargetKinds.ChatSession, extra, ct);
        await FlushUnitsAsync(ct);
    }

    private const int UnitBatch = 100;
    private readonly List<(LegacyRow Row, Func<Task<Guid>> Write, string Kind, string Extra)> _units = [];

    /// <summary>A target written by a service; its source key commits with it. Units are written in batches (see <see cref="FlushUnitsAsync"/>).</summary>
    private async Task UnitAsync(LegacyRow row, Func<Task<Guid>> write, string kind, string extra, CancellationToken ct)
    {
        if (!_apply)
        {
            Land(row, kind, Guid.NewGuid().ToString(), extra: extra);
            _pending.Clear();
            return;
        }
        _units.Add((row, write, kind, extra));
        if (_units.Count >= UnitBatch)
            await FlushUnitsAsync(ct);
    }

    /// <summary>
    /// Writes the waiting units in one transaction; if one of them is refused, the batch is undone
    /// and each unit is written in a transaction of its own, so only the refused row fails.
    /// </summary>
    private async Task FlushUnitsAsync(CancellationToken ct)
    {
        if (_units.Count == 0)
            return;
        var units = _units.ToList();
        _units.Clear();
        var snapshot = _tally.Snapshot();
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            try
            {
                foreach (var (row, write, kind, extra) in units)
                    Land(row, kind, (await write()).ToString(), extra: extra);
                db.Set<LegacySourceKey>().AddRange(_pending);
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                _pending.Clear();
                return;
            }
            catch (Exception ex) when (ex is DomainException or DbUpdateException && units.Count > 1)
            {
                await tx.RollbackAsync(CancellationToken.None);
                db.ChangeTracker.Clear();
                Forget(snapshot);
            }
            catch (Exception ex) when (ex is DomainException or DbUpdateException)
            {
                await tx.RollbackAsync(CancellationToken.None);
                db.ChangeTracker.Clear();
                Forget(snapshot);
                Count(units[0].Row, Outcome.Failed, Reason(ex, null));
                return;
            }
        }
        foreach (var unit in units)
        {
            _units.Add(unit);
            await FlushUnitsAsync(ct);
        }
    }

    private async Task MapMessagesAsync(IReadOnlyList<LegacyRow> rows, CancellationToken ct)
    {
        var now = Clock.UtcNow(time);
        var batch = new List<(LegacyRow Row, ChatMessageInput Input, string Extra)>();
        foreach (var row in rows)
        {
            if (Existing(row) is { } done)
            {
                Count(row, done.Outcome, done.Message);
                continue;
            }
            var legacy = LegacyValues.AsObject(row.Value);
            var sessionKey = LegacyValues.Text(legacy, "sessionId");
            if (sessionKey is null || ProjectOrSession("sessions", sessionKey) is not { } sessionId)
            {
                Count(row, Outcome.Failed, $"Its chat session ({sessionKey ?? "none"}) is missing.");
                continue;
            }
            var content = legacy["content"] switch
            {
                JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
                null => null,
                var other => other.ToJsonString(),
            };
            var input = new ChatMessageInput(row.Key, sessionId, LegacyValues.Text(legacy, "role"), content, LegacyValues.Time(legacy, "createdAt"));
            var (_, error) = ChatRules.ValidateRow(0, input, chatOptions.Value, now);
            if (error is not null)
            {
                Count(row, Outcome.Failed, $"{error.Code}: {error.Detail}");
                continue;
            }
            batch.Add((row, input, LegacyValues.Rest(legacy, "id", "sessionId", "role", "createdAt").ToJsonString()));
            if (batch.Count == MessageBatch)
                await WriteMessagesAsync(batch, ct);
        }
        if (batch.Count > 0)
            await WriteMessagesAsync(batch, ct);
    }

    private async Task WriteMessagesAsync(List<(LegacyRow Row, ChatMessageInput Input, string Extra)> batch, CancellationToken ct)
    {
        if (!_apply)
        {
            foreach (var (row, _, extra) in batch)
                Land(row, LegacyTargetKinds.ChatMessage, Guid.NewGuid().ToString(), extra: extra);
            _pending.Clear();
            batch.Clear();
            return;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var result = await chat.AppendBatchAsync(_owner, batch.Select(b => (ChatMessageInput?)b.Input).ToList(), ct);
        var errors = result.Errors.ToDictionary(e => e.Index);
        for (var i = 0; i < batch.Count; i++)
        {
            var (row, input, extra) = batch[i];
            if (errors.TryGetValue(i, out var error))
                Count(row, Outcome.Failed, $"{error.Code}: {error.Detail}");
            else
                Land(row, LegacyTargetKinds.ChatMessage, result.Ids[input.ClientId!].ToString(), extra: extra);
        }
        db.Set<LegacySourceKey>().AddRange(_pending);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        _pending.Clear();
        batch.Clear();
    }

    private async Task MapProjectAssetsAsync(IReadOnlyList<LegacyRow> rows, CancellationToken ct)
    {
        var batch = new List<LegacyRow>();
        foreach (var row in rows)
        {
            if (Existing(row) is { } done)
            {
                Count(row, done.Outcome, done.Message);
                continue;
            }
            batch.Add(row);
            if (batch.Count == AssetBatch)
                await WriteProjectAssetsAsync(batch, ct);
        }
        if (batch.Count > 0)
            await WriteProjectAssetsAsync(batch, ct);
    }

    private async Task WriteProjectAssetsAsync(List<LegacyRow> batch, CancellationToken ct)
    {
        var stored = _apply ? await StoreBlobsAsync(batch, "file", "blob", ct) : new Dictionary<LegacyRow, BlobInfo?>();
        await using var tx = _apply ? await db.Database.BeginTransactionAsync(ct) : null;
        foreach (var row in batch)
        {
            var legacy = LegacyValues.AsObject(row.Value);
            var bytes = AssetBytes(row, "file", "blob");
            if (bytes is null || (_apply && stored.GetValueOrDefault(row) is null))
            {
                Count(row, Outcome.Failed, bytes is null ? $"The asset has no bytes (upload status: {LegacyValues.Text(legacy, "uploadStatus") ?? "unknown"})." : "The bytes did not hash as read.");
                continue;
            }
            Guid? projectId = null;
            if (LegacyValues.Text(legacy, "projectId") is { Length: > 0 } projectKey)
            {
                if (ProjectOrSession("projects", projectKey) is { } target && Guid.TryParse(target, out var p))
                    projectId = p;
                else
                    _tally.Problem(row.Database, row.Table, row.Key, $"Its project ({projectKey}) is missing: the asset is imported without a project.", row.File);
            }
            var id = _apply ? Guid.CreateVersion7() : Guid.NewGuid();
            var sha = _apply ? stored[row]!.Sha256 : null;
            if (_apply)
            {
                try
                {
                    await assets.AddAsync(id, _owner.UserId, LegacyValues.Text(legacy, "name") ?? row.Key, LegacyValues.Text(legacy, "mimeType") ?? bytes.ContentType, stored[row]!, null, projectId, ct);
                }
                catch (QuotaExceededException quota)
                {
                    // A refused charge changes nothing: this asset fails, the batch goes on with those that fit.
                    Count(row, Outcome.Failed, quota.Message);
                    continue;
                }
            }
            _tally.BlobsImported++;
            _tally.BlobBytes += bytes.Bytes.Length;
            Land(row, LegacyTargetKinds.Asset, id.ToString(), sha256: sha, extra: LegacyValues.Rest(legacy, "id", "projectId", "name", "mimeType", "file").ToJsonString());
        }
        if (tx is not null)
        {
            db.Set<LegacySourceKey>().AddRange(_pending);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        _pending.Clear();
        batch.Clear();
    }

    // ---- blobs ----

    private LegacyBlob? AssetBytes(LegacyRow row, params string[] paths) =>
        paths.Select(p => row.Blobs.FirstOrDefault(b => b.Path == p)).FirstOrDefault(b => b is not null) ?? (row.Blobs.Count == 1 ? row.Blobs[0] : null);

    /// <summary>Writes each row's bytes to the store and checks the stored SHA-256 against the bytes read; null where that fails.</summary>
    private async Task<Dictionary<LegacyRow, BlobInfo?>> StoreBlobsAsync(IReadOnlyList<LegacyRow> rows, string path, string alternative, CancellationToken ct)
    {
        var result = new Dictionary<LegacyRow, BlobInfo?>(ReferenceEqualityComparer.Instance);
        foreach (var row in rows)
        {
            if (AssetBytes(row, path, alternative) is not { } blob)
            {
                result[row] = null;
                continue;
            }
            var expected = Convert.ToHexStringLower(SHA256.HashData(blob.Bytes.Span));
            using var stream = MemoryMarshal.TryGetArray(blob.Bytes, out var segment)
                ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
                : new MemoryStream(blob.Bytes.ToArray(), writable: false);
            var stored = await content.WriteAsync(stream, ct);
            if (stored.Sha256 != expected || stored.Length != blob.Bytes.Length)
            {
                _tally.Problem(row.Database, row.Table, row.Key, $"Stored bytes hash {stored.Sha256}, read {expected}.", row.File);
                result[row] = null;
                continue;
            }
            result[row] = stored;
        }
        return result;
    }

    private async Task<BlobInfo> WriteJsonAsync(JsonObject document, CancellationToken ct)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(document.ToJsonString()), writable: false);
        return await content.WriteAsync(stream, ct);
    }

    // ---- source keys and counting ----

    private enum Outcome { Imported, Skipped, Failed }

    private static string Id(string database, string table, string key) => $"{database}\n{table}\n{LegacyValues.SourceKey(key)}";

    /// <summary>A project or chat session by legacy id: the kijko_db row, or one a zustand store held.</summary>
    private string? ProjectOrSession(string kind, string key)
    {
        if (Target(LegacyDatabases.Kijko, kind == "projects" ? "projects" : "chatSessions", key) is { } fromDatabase)
            return fromDatabase;
        return _storeTargets.GetValueOrDefault($"{kind}\n{LegacyValues.SourceKey(key)}");
    }

    private readonly Dictionary<string, string> _storeTargets = new(StringComparer.Ordinal);

    private void RememberStoreTarget(string database, string table, string key, string targetId)
    {
        if (!database.StartsWith(LegacyDatabases.LocalStoragePrefix, StringComparison.Ordinal))
            return;
        foreach (var kind in new[] { "projects", "sessions" })
            if (table.EndsWith("." + kind, StringComparison.Ordinal))
                _storeTargets.TryAdd($"{kind}\n{key}", targetId);
    }

    private string? Target(string database, string table, string key) =>
        _planned.TryGetValue(Id(database, table, key), out var planned) ? planned
        : _known.TryGetValue(Id(database, table, key), out var known) ? known.TargetId : null;

    /// <summary>How a row that already landed counts: imported when this migration wrote it (a resumed run), otherwise skipped.</summary>
    private (Outcome Outcome, string? Message)? Existing(LegacyRow row)
    {
        if (!_known.TryGetValue(Id(row.Database, row.Table, row.Key), out var key))
            return null;
        return key.MigrationId == _migration.Id ? (Outcome.Imported, null) : (Outcome.Skipped, $"Already imported by migration {key.MigrationId}.");
    }

    /// <summary>A unit of work failed: its rows did not land after all.</summary>
    private void Forget(LegacyTally snapshot)
    {
        _tally.Restore(snapshot);
        foreach (var key in _pending)
            _planned.Remove($"{key.Database}\n{key.Table}\n{key.Key}");
        _pending.Clear();
    }

    private void Count(LegacyRow row, Outcome outcome, string? message)
    {
        _tally.Source(row.Database, row.Table);
        switch (outcome)
        {
            case Outcome.Imported: _tally.Imported(row.Database, row.Table); break;
            case Outcome.Skipped: _tally.Skipped(row.Database, row.Table); break;
            default: _tally.Failed(row.Database, row.Table); break;
        }
        if (message is not null)
            _tally.Problem(row.Database, row.Table, row.Key, message, row.File);
    }

    /// <summary>The row lands as <paramref name="targetId"/>: counted imported, its source key pending for the unit's commit.</summary>
    private void Land(LegacyRow row, string kind, string targetId, string? sha256 = null, string? extra = null)
    {
        var id = Id(row.Database, row.Table, row.Key);
        if (Existing(row) is { } done)
        {
            Count(row, done.Outcome, done.Message);
            return;
        }
        if (_planned.ContainsKey(id))
        {
            Count(row, Outcome.Skipped, "The same key appears twice in the input; the first row was used.");
            return;
        }
        _planned[id] = targetId;
        RememberStoreTarget(row.Database, row.Table, LegacyValues.SourceKey(row.Key), targetId);
        Count(row, Outcome.Imported, null);
        _pending.Add(new LegacySourceKey
        {
            Id = Guid.CreateVersion7(),
            UserId = _owner.UserId,
            MigrationId = _migration.Id,
            Database = row.Database,
            Table = row.Table,
            Key = LegacyValues.SourceKey(row.Key),
            TargetKind = kind,
            TargetId = targetId,
            Sha256 = sha256,
            Extra = extra,
            CreatedAt = Clock.UtcNow(time),
        });
    }
}
