using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Catalyst.Data.Assets;
using Catalyst.Data.Chat;
using Catalyst.Data.Common;
using Catalyst.Data.LegacyImport.Mapping;
using Catalyst.Data.LegacyImport.Reading;
using Catalyst.Data.Projects;
using Catalyst.Data.Storage;
using Catalyst.Data.Websites;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.LegacyImport;

/// <summary>What existed before a migration wrote anything: the preferences it merges into.</summary>
public sealed record LegacyCheckpoint(bool PreferencesExisted, string? Preferences, DateTime RecordedAt);

/// <summary>
/// The lifecycle of a legacy migration (SPEC §11): created with its input files, run as a dry run
/// or an apply (a <see cref="LegacyImportRun"/>), verified, rolled back. Owner-scoped: another
/// user's migration is not found.
/// </summary>
/// <remarks>
/// The dump reader is looked up when a run starts (or given by the caller), so the Portal and the
/// Workers start even in a build whose Data layer registers no reader; such a run fails with a clear message.
/// </remarks>
public sealed class LegacyImportService(CatalystDbContext db, ContentStore content, IServiceProvider services, TimeProvider time, ILegacyDumpReader? reader = null)
{
    private ILegacyDumpReader Reader => reader ?? services.GetService<ILegacyDumpReader>()
        ?? throw new InvalidOperationException("No legacy dump reader is registered in this build.");

    public const string InputOwnerType = "legacy-input";
    public const int MaxFiles = 500;

    /// <summary>Records a migration over files already written to the content store, holding them with references.</summary>
    public async Task<LegacyImportMigration> CreateAsync(Actor requester, Guid ownerId, IReadOnlyList<LegacyInputFile> files, bool dryRun, CancellationToken ct)
    {
        if (files.Count == 0)
            throw ValidationFailedException.For("files", "Attach at least one exported file.");
        if (files.Count > MaxFiles)
            throw ValidationFailedException.For("files", $"At most {MaxFiles} files.");
        if (!requester.CanAccess(ownerId))
            throw new NotFoundException("User");
        var migration = new LegacyImportMigration
        {
            Id = Guid.CreateVersion7(),
            OwnerId = ownerId,
            RequestedById = requester.UserId,
            Status = LegacyImportStatus.Pending,
            DryRun = dryRun,
            Files = JsonSerializer.Serialize(files, JsonSerializerOptions.Web),
        };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Set<LegacyImportMigration>().Add(migration);
        for (var i = 0; i < files.Count; i++)
            await content.AddReferenceAsync(files[i].Sha256, InputOwnerType, $"{migration.Id:N}/{i}", ownerId, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return migration;
    }

    public async Task<LegacyImportMigration> GetAsync(Actor actor, Guid id, CancellationToken ct)
    {
        var migration = await db.Set<LegacyImportMigration>().AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, ct);
        if (migration is null || !actor.CanAccess(migration.OwnerId))
            throw new NotFoundException("Migration");
        return migration;
    }

    public async Task<List<LegacyImportMigration>> ListAsync(Actor actor, int take, CancellationToken ct) =>
        await db.Set<LegacyImportMigration>().AsNoTracking().Where(m => actor.IsAdmin || m.OwnerId == actor.UserId)
            .OrderByDescending(m => m.CreatedAt).Take(take).ToListAsync(ct);

    /// <summary>The report as the API answers it (an empty one before the first run).</summary>
    public static LegacyReport ReportOf(LegacyImportMigration migration)
    {
        var report = migration.Report is null ? null : JsonSerializer.Deserialize<LegacyReport>(migration.Report, JsonSerializerOptions.Web);
        return (report ?? new LegacyReport(migration.Id, "", migration.DryRun ? "dry-run" : "apply", [], new LegacyBlobReport(0, 0, 0), []))
            with { Id = migration.Id, Status = LegacyStatusNames.Of(migration.Status) };
    }

    /// <summary>Runs the migration's dry run or apply. An apply records its checkpoint before it writes anything.</summary>
    public async Task<LegacyReport> RunAsync(Guid id, Func<long, long, Task> progress, CancellationToken ct)
    {
        var migration = await db.Set<LegacyImportMigration>().FirstOrDefaultAsync(m => m.Id == id, ct) ?? throw new NotFoundException("Migration");
        if (migration.Status is LegacyImportStatus.RolledBack)
            throw new ConflictException("migration_rolled_back", "This migration was rolled back; start a new one.");
        var owner = await OwnerAsync(migration, ct);
        var apply = !migration.DryRun;
        if (apply && migration.Checkpoint is null)
        {
            var prefs = await db.Set<UserPreferences>().AsNoTracking().FirstOrDefaultAsync(p => p.UserId == owner.UserId, ct);
            migration.Checkpoint = JsonSerializer.Serialize(new LegacyCheckpoint(prefs is not null, prefs?.Preferences, Clock.UtcNow(time)), JsonSerializerOptions.Web);
            migration.Status = LegacyImportStatus.Applying;
            await db.SaveChangesAsync(ct);
        }
        db.ChangeTracker.Clear();

        var tally = await services.GetRequiredService<LegacyImportRunFactory>()
            .Create(migration, owner, new LegacyDumpSet(Reader, FilesOf(migration)), apply, progress).RunAsync(ct);
        db.ChangeTracker.Clear();
        var status = apply ? LegacyImportStatus.Applied : LegacyImportStatus.DryRun;
        var report = tally.ToReport(id, LegacyStatusNames.Of(status), apply ? "apply" : "dry-run");
        var now = Clock.UtcNow(time);
        await db.Set<LegacyImportMigration>().Where(m => m.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, status)
            .SetProperty(m => m.Report, JsonSerializer.Serialize(report, JsonSerializerOptions.Web))
            .SetProperty(m => m.AppliedAt, m => apply ? now : m.AppliedAt)
            .SetProperty(m => m.UpdatedAt, now), ct);
        return report;
    }

    public async Task MarkFailedAsync(Guid id, string error, CancellationToken ct)
    {
        var now = Clock.UtcNow(time);
        await db.Set<LegacyImportMigration>().Where(m => m.Id == id && m.Status != LegacyImportStatus.RolledBack).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, LegacyImportStatus.Failed)
            .SetProperty(m => m.Error, error.Length > 4000 ? error[..4000] : error)
            .SetProperty(m => m.UpdatedAt, now), ct);
    }

    /// <summary>
    /// Recounts what landed against the report (every imported row's target must exist) and
    /// re-hashes every migrated blob from the store against the SHA-256 of the bytes read.
    /// </summary>
    public async Task<LegacyVerification> VerifyAsync(Guid id, Func<long, long, Task> progress, CancellationToken ct)
    {
        var migration = await db.Set<LegacyImportMigration>().AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, ct) ?? throw new NotFoundException("Migration");
        if (migration.Status is not (LegacyImportStatus.Applied or LegacyImportStatus.Verified or LegacyImportStatus.Failed))
            throw new ConflictException("migration_not_applied", "Only an applied migration can be verified.");
        var report = ReportOf(migration);
        var keys = await db.Set<LegacySourceKey>().AsNoTracking().Where(k => k.MigrationId == id).ToListAsync(ct);
        var mismatches = new List<string>();

        // Recount the source: the files read again and mapped without writing; rows this migration
        // landed count as imported, so the counts must be the report's.
        var owner = await OwnerAsync(migration, ct);
        var recount = (await services.GetRequiredService<LegacyImportRunFactory>()
            .Create(migration, owner, new LegacyDumpSet(Reader, FilesOf(migration)), apply: false, (_, _) => Task.CompletedTask).RunAsync(ct))
            .ToReport(id, report.Status, report.Mode);
        db.ChangeTracker.Clear();
        foreach (var table in recount.Tables)
        {
            var reported = report.Tables.FirstOrDefault(t => t.Database == table.Database && t.Table == table.Table);
            if (reported is null || (reported.Source, reported.Imported) != (table.Source, table.Imported))
                mismatches.Add($"{table.Database}/{table.Table}: the source now gives {table.Source} rows, {table.Imported} landed; the report says {reported?.Source ?? 0}, {reported?.Imported ?? 0}.");
        }

        foreach (var table in report.Tables)
        {
            var landed = keys.Count(k => k.Database == table.Database && k.Table == table.Table);
            if (landed != table.Imported)
                mismatches.Add($"{table.Database}/{table.Table}: the report says {table.Imported} imported, {landed} landed.");
            if (table.Source != table.Imported + table.Skipped + table.Failed)
                mismatches.Add($"{table.Database}/{table.Table}: counts do not add up.");
        }

        async Task Exists<T>(string kind, IQueryable<T> set, Func<IQueryable<T>, List<Guid>, Task<List<Guid>>> find)
        {
            var ids = keys.Where(k => k.TargetKind == kind).Select(k => Guid.Parse(k.TargetId)).Distinct().ToList();
            var found = new HashSet<Guid>();
            foreach (var chunk in ids.Chunk(500))
                found.UnionWith(await find(set, [.. chunk]));
            foreach (var missing in ids.Where(i => !found.Contains(i)).Take(50))
                mismatches.Add($"{kind} {missing} is missing.");
        }
        await Exists(LegacyTargetKinds.Website, db.Set<Website>(), (s, ids) => s.Where(x => ids.Contains(x.Id)).Select(x => x.Id).ToListAsync(ct));
        await Exists(LegacyTargetKinds.ContentType, db.Set<ContentType>(), (s, ids) => s.Where(x => ids.Contains(x.Id)).Select(x => x.Id).ToListAsync(ct));
        await Exists(LegacyTargetKinds.ContentItem, db.Set<ContentItem>(), (s, ids) => s.Where(x => ids.Contains(x.Id)).Select(x => x.Id).ToListAsync(ct));
        await Exists(LegacyTargetKinds.Project, db.Set<Project>(), (s, ids) => s.Where(x => ids.Contains(x.Id)).Select(x => x.Id).ToListAsync(ct));
        await Exists(LegacyTargetKinds.ChatSession, db.Set<ChatSession>(), (s, ids) => s.Where(x => ids.Contains(x.Id)).Select(x => x.Id).ToListAsync(ct));
        await Exists(LegacyTargetKinds.ChatMessage, db.Set<ChatMessage>(), (s, ids) => s.Where(x => ids.Contains(x.Id)).Select(x => x.Id).ToListAsync(ct));

        var assetKeys = keys.Where(k => k.TargetKind == LegacyTargetKinds.Asset).ToList();
        var blobs = 0;
        var checkedShas = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var chunk in assetKeys.Chunk(500))
        {
            var ids = chunk.Select(k => Guid.Parse(k.TargetId)).ToList();
            var rows = await db.Set<Asset>().AsNoTracking().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
            foreach (var key in chunk)
            {
                if (!rows.TryGetValue(Guid.Parse(key.TargetId), out var asset))
                {
                    mismatches.Add($"asset {key.TargetId} ({key.Database}/{key.Table}/{key.Key}) is missing.");
                    continue;
                }
                if (!checkedShas.TryGetValue(asset.Sha256, out var actual))
                    checkedShas[asset.Sha256] = actual = await HashAsync(asset.Sha256, ct);
                blobs++;
                if (actual != key.Sha256 || asset.Sha256 != key.Sha256)
                    mismatches.Add($"asset {asset.Id} ({key.Database}/{key.Table}/{key.Key}): read {key.Sha256}, stored {actual ?? "nothing"}.");
                await progress(blobs, assetKeys.Count);
            }
        }

        var verification = new LegacyVerification(mismatches.Count == 0, keys.Count, blobs, mismatches, Clock.UtcNow(time));
        var updated = report with { Verification = verification, Status = LegacyStatusNames.Of(mismatches.Count == 0 ? LegacyImportStatus.Verified : LegacyImportStatus.Failed) };
        var now = Clock.UtcNow(time);
        await db.Set<LegacyImportMigration>().Where(m => m.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, mismatches.Count == 0 ? LegacyImportStatus.Verified : LegacyImportStatus.Failed)
            .SetProperty(m => m.Report, JsonSerializer.Serialize(updated, JsonSerializerOptions.Web))
            .SetProperty(m => m.VerifiedAt, now)
            .SetProperty(m => m.UpdatedAt, now), ct);
        return verification;
    }

    private async Task<string?> HashAsync(string sha256, CancellationToken ct)
    {
        await using var stream = await content.OpenReadAsync(sha256, ct);
        if (stream is null)
            return null;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
            hash.AppendData(buffer, 0, read);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// Removes exactly what this migration added (through the services, so blob references are
    /// released for garbage collection and clients get tombstones) and puts back the preference
    /// keys it changed. Anything else, created before or after, is left alone.
    /// </summary>
    public async Task RollbackAsync(Guid id, Func<long, long, Task> progress, CancellationToken ct)
    {
        var migration = await db.Set<LegacyImportMigration>().AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, ct) ?? throw new NotFoundException("Migration");
        if (migration.Status == LegacyImportStatus.RolledBack)
            return;
        if (migration.DryRun)
            throw new ConflictException("migration_dry_run", "A dry run wrote nothing; there is nothing to roll back.");
        var owner = await OwnerAsync(migration, ct);
        var keys = await db.Set<LegacySourceKey>().AsNoTracking().Where(k => k.MigrationId == id).ToListAsync(ct);
        long done = 0;
        var total = keys.Count(k => k.TargetKind is LegacyTargetKinds.Asset or LegacyTargetKinds.ChatSession or LegacyTargetKinds.Website or LegacyTargetKinds.Project) + 1;

        // Children before parents; each delete goes through its service.
        using (var scope = services.CreateScope())
        {
            var sp = scope.ServiceProvider;
            foreach (var key in keys.Where(k => k.TargetKind == LegacyTargetKinds.ChatSession))
            {
                await IgnoreMissing(() => sp.GetRequiredService<ChatService>().DeleteSessionAsync(owner, Guid.Parse(key.TargetId), null, ct));
                await progress(++done, total);
            }
            // Messages this migration added to sessions it did not create.
            var sessionIds = keys.Where(k => k.TargetKind == LegacyTargetKinds.ChatSession).Select(k => Guid.Parse(k.TargetId)).ToHashSet();
            var strays = keys.Where(k => k.TargetKind == LegacyTargetKinds.ChatMessage).Select(k => Guid.Parse(k.TargetId)).ToList();
            foreach (var chunk in strays.Chunk(500))
                await db.ChatMessages.Where(m => chunk.Contains(m.Id) && !sessionIds.Contains(m.SessionId)).ExecuteDeleteAsync(ct);
            foreach (var key in keys.Where(k => k.TargetKind == LegacyTargetKinds.Asset))
            {
                await IgnoreMissing(() => sp.GetRequiredService<AssetService>().DeleteAsync(owner, Guid.Parse(key.TargetId), ct));
                await progress(++done, total);
            }
            foreach (var key in keys.Where(k => k.TargetKind == LegacyTargetKinds.Website))
            {
                await IgnoreMissing(() => sp.GetRequiredService<WebsiteService>().DeleteAsync(owner, Guid.Parse(key.TargetId), null, ct));
                await progress(++done, total);
            }
            foreach (var key in keys.Where(k => k.TargetKind == LegacyTargetKinds.Project))
            {
                await IgnoreMissing(() => sp.GetRequiredService<ProjectService>().DeleteAsync(owner, Guid.Parse(key.TargetId), null, ct));
                await progress(++done, total);
            }
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await RestorePreferencesAsync(migration, owner, keys.Where(k => k.TargetKind == LegacyTargetKinds.Preference).ToList(), ct);
        await db.Set<LegacySourceKey>().Where(k => k.MigrationId == id).ExecuteDeleteAsync(ct);
        var now = Clock.UtcNow(time);
        await db.Set<LegacyImportMigration>().Where(m => m.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, LegacyImportStatus.RolledBack)
            .SetProperty(m => m.RolledBackAt, now)
            .SetProperty(m => m.UpdatedAt, now), ct);
        await tx.CommitAsync(ct);
        await progress(total, total);
    }

    private static async Task IgnoreMissing(Func<Task> delete)
    {
        try { await delete(); }
        catch (NotFoundException) { /* already gone: the user deleted it since */ }
    }

    /// <summary>Each preference path the migration set goes back to its value at the checkpoint, or away if it had none.</summary>
    private async Task RestorePreferencesAsync(LegacyImportMigration migration, Actor owner, List<LegacySourceKey> keys, CancellationToken ct)
    {
        if (keys.Count == 0 || migration.Checkpoint is null)
            return;
        var checkpoint = JsonSerializer.Deserialize<LegacyCheckpoint>(migration.Checkpoint, JsonSerializerOptions.Web)!;
        var before = checkpoint.Preferences is null ? new JsonObject() : JsonNode.Parse(checkpoint.Preferences, documentOptions: JsonLimits.Value) as JsonObject ?? new JsonObject();
        var row = await db.Set<UserPreferences>().FirstOrDefaultAsync(p => p.UserId == owner.UserId, ct);
        if (row is null)
            return;
        var current = JsonNode.Parse(row.Preferences, documentOptions: JsonLimits.Value) as JsonObject ?? new JsonObject();
        foreach (var key in keys)
        {
            var path = JsonSerializer.Deserialize<string[]>(key.Extra ?? "[]") ?? [];
            if (path.Length == 0)
                continue;
            var (oldParent, oldExists) = Walk(before, path);
            var (parent, _) = Walk(current, path);
            if (oldExists && oldParent is not null)
                Ensure(current, path)[path[^1]] = oldParent[path[^1]]?.DeepClone();
            else
                parent?.Remove(path[^1]);
        }
        // Containers the migration made and left empty go too.
        for (var depth = 2; depth >= 1; depth--)
            foreach (var key in keys)
            {
                var path = (JsonSerializer.Deserialize<string[]>(key.Extra ?? "[]") ?? []).Take(depth).ToArray();
                if (path.Length < depth || Walk(before, path).Exists)
                    continue;
                var (parent, exists) = Walk(current, path);
                if (exists && parent![path[^1]] is JsonObject { Count: 0 })
                    parent.Remove(path[^1]);
            }
        if (!checkpoint.PreferencesExisted && current.Count == 0)
            db.Set<UserPreferences>().Remove(row);
        else
            // Nothing else changed since: the checkpoint's own text, byte for byte.
            row.Preferences = checkpoint.Preferences is not null && JsonNode.DeepEquals(current, before) ? checkpoint.Preferences : current.ToJsonString();
        await db.SaveChangesAsync(ct);
    }

    private static (JsonObject? Parent, bool Exists) Walk(JsonObject root, string[] path)
    {
        var node = root;
        for (var i = 0; i < path.Length - 1; i++)
        {
            if (node[path[i]] is not JsonObject next)
                return (null, false);
            node = next;
        }
        return (node, node.ContainsKey(path[^1]));
    }

    private static JsonObject Ensure(JsonObject root, string[] path)
    {
        var node = root;
        for (var i = 0; i < path.Length - 1; i++)
            node = node[path[i]] as JsonObject ?? (JsonObject)(node[path[i]] = new JsonObject());
        return node;
    }

    private async Task<Actor> OwnerAsync(LegacyImportMigration migration, CancellationToken ct)
    {
        var email = await db.Users.AsNoTracking().Where(u => u.Id == migration.OwnerId).Select(u => u.Email).FirstOrDefaultAsync(ct)
            ?? throw new InvalidOperationException("The migrating user no longer exists.");
        return new Actor(migration.OwnerId, email, IsAdmin: false);
    }

    /// <summary>The input files of one run, sharing one budget for what typeson references may add (SPEC §16).</summary>
    private List<LegacySourceFile> FilesOf(LegacyImportMigration migration)
    {
        var expansion = new LegacyExpansionBudget(services.GetService<IOptions<LegacyOptions>>()?.Value ?? new LegacyOptions());
        return JsonSerializer.Deserialize<List<LegacyInputFile>>(migration.Files, JsonSerializerOptions.Web)!
            .Select(f => new LegacySourceFile(f.Name, async c => await content.OpenReadAsync(f.Sha256, c) ?? throw new NotFoundException($"Input file {f.Name}"), expansion))
            .ToList();
    }
}
