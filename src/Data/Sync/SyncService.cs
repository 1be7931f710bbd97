using Catalyst.Data.Changes;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Catalyst.Data.Caching;
using Catalyst.Data.Chat;
using Catalyst.Data.Common;
using Catalyst.Data.Projects;
using Catalyst.Data.Websites;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Sync;

/// <summary>Section <c>Catalyst:Sync</c>: sizes of a sign-in sync and of a page of the change feed.</summary>
public sealed class SyncOptions
{
    public const string Section = "Catalyst:Sync";

    public int InitSessions { get; set; } = 50;
    /// <summary>Projects (and websites) a sync init carries at most, newest first; <c>projectsTruncated</c> says when there were more.</summary>
    public int InitProjects { get; set; } = 1000;
    public int DefaultChangesLimit { get; set; } = 500;
    public int MaxChangesLimit { get; set; } = 1000;
}

public sealed class SyncOptionsValidator : IValidateOptions<SyncOptions>
{
    public ValidateOptionsResult Validate(string? name, SyncOptions options)
    {
        var failures = new List<string>();
        if (options.InitSessions is < 1 or > 10_000)
            failures.Add("Catalyst:Sync:InitSessions must be between 1 and 10000.");
        if (options.InitProjects is < 1 or > 100_000)
            failures.Add("Catalyst:Sync:InitProjects must be between 1 and 100000.");
        if (options.MaxChangesLimit is < 1 or > 100_000)
            failures.Add("Catalyst:Sync:MaxChangesLimit must be between 1 and 100000.");
        if (options.DefaultChangesLimit < 1 || options.DefaultChangesLimit > options.MaxChangesLimit)
            failures.Add("Catalyst:Sync:DefaultChangesLimit must be between 1 and Catalyst:Sync:MaxChangesLimit.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

public sealed record SyncInit(
    string Cursor, UserPreferences? Preferences, IReadOnlyList<Project> Projects, bool ProjectsTruncated,
    IReadOnlyList<Website> Websites, bool WebsitesTruncated, IReadOnlyList<ChatSession> ChatSessions,
    IReadOnlyDictionary<string, bool> Features);

/// <summary>One change: the entity's current state for an upsert (<see cref="Entity"/>), nothing for a tombstone.</summary>
public sealed record SyncChangeItem(long Seq, string Type, Guid Id, SyncOperation Operation, object? Entity);

public sealed record SyncChangesPage(IReadOnlyList<SyncChangeItem> Changes, string Cursor, bool HasMore);

/// <summary>
/// Sign-in sync and delta catch-up for offline-first clients (SPEC §12).
/// <para>
/// The feed (<see cref="SyncChange"/>) keeps one row per entity — its latest upsert or its tombstone —
/// at the position of that latest change. <see cref="ChangesAsync"/> answers the rows after the cursor
/// in position order, each upsert with the entity as it is <em>now</em>. A client that applies every
/// page (upsert = replace, tombstone = remove; a chat session's tombstone also removes its messages)
/// therefore ends equal to the server, whatever happened between its pages. Positions are committed
/// in order (see <see cref="ChangeSet"/>), so the cursor never skips a change.
/// </para>
/// <para>
/// Sync is about the caller's own offline copy: it carries the caller's own rows, admins included,
/// and the caller's feature flags (in the init, and as a <c>features</c> upsert in the feed when any flag changes).
/// </para>
/// </summary>
public sealed class SyncService(CatalystDbContext db, MetadataCache cache, IOptions<SyncOptions> options, Features.IUserFeatures features)
{
    private sealed record Part<T>(long Seq, IReadOnlyList<T> Items);

    /// <summary>
    /// The caller's metadata (no message bodies, no blobs) and a cursor. The parts come from the
    /// metadata cache, each with the feed position read before it was loaded; the cursor is the oldest
    /// of those positions, so a change a part may not show is replayed by the feed.
    /// </summary>
    public async Task<SyncInit> InitAsync(Actor actor, CancellationToken ct)
    {
        var owner = actor.UserId;
        var limits = options.Value;
        var projects = await cache.GetOrCreateAsync($"sync-projects:{owner:N}", [MetadataCache.OwnerTag(SyncEntityTypes.Project, owner)], async c =>
        {
            var seq = await ChangeSet.HeadAsync(db, c);
            var items = await db.Projects.AsNoTracking().Where(p => p.OwnerId == owner)
                .OrderByDescending(p => p.UpdatedAt).ThenByDescending(p => p.Id).Take(limits.InitProjects + 1).ToListAsync(c);
            return new Part<Project>(seq, items);
        }, p => 1 + p.Items.Count, ct);
        var sessions = await cache.GetOrCreateAsync($"sync-sessions:{owner:N}", [MetadataCache.OwnerTag(SyncEntityTypes.ChatSession, owner)], async c =>
        {
            var seq = await ChangeSet.HeadAsync(db, c);
            var items = await db.ChatSessions.AsNoTracking().Where(s => s.UserId == owner)
                .OrderByDescending(s => s.UpdatedAt).ThenByDescending(s => s.Id).Take(limits.InitSessions).ToListAsync(c);
            return new Part<ChatSession>(seq, items);
        }, p => 1 + p.Items.Count, ct);

        // Websites and preferences are read as they are: their writes do not go through ChangeSet yet, so
        // they are neither cached (nothing would invalidate them) nor in the change feed.
        var websites = await db.Websites.AsNoTracking().Where(w => w.OwnerId == owner)
            .OrderByDescending(w => w.UpdatedAt).ThenByDescending(w => w.Id).Take(limits.InitProjects + 1).ToListAsync(ct);
        var preferences = await db.Set<UserPreferences>().AsNoTracking().FirstOrDefaultAsync(p => p.UserId == owner, ct);
        // Evaluated now (after the parts' positions were read): a flag that flips later is in the feed after the cursor.
        var flags = await features.ForAsync(Features.FeatureUser.From(actor), ct);

        var truncated = projects.Items.Count > limits.InitProjects;
        return new SyncInit(
            SyncCursor.Format(Math.Min(projects.Seq, sessions.Seq)),
            preferences,
            truncated ? projects.Items.Take(limits.InitProjects).ToList() : projects.Items,
            truncated,
            websites.Take(limits.InitProjects).ToList(),
            websites.Count > limits.InitProjects,
            sessions.Items,
            flags);
    }

    /// <summary>The caller's changes after <paramref name="since"/> (from the beginning when absent), in order.</summary>
    public async Task<SyncChangesPage> ChangesAsync(Actor actor, string? since, int? limit, CancellationToken ct)
    {
        var take = limit ?? options.Value.DefaultChangesLimit;
        if (take < 1 || take > options.Value.MaxChangesLimit)
            throw ValidationFailedException.For("limit", $"limit must be between 1 and {options.Value.MaxChangesLimit}.");
        var after = string.IsNullOrEmpty(since) ? 0 : SyncCursor.Parse(since);

        // The head first: every position up to it is committed, so answering up to it skips nothing.
        var head = await ChangeSet.HeadAsync(db, ct);
        if (after > head)
            throw new GoneException("cursor_expired", "The cursor is not from this server's feed; sync from /api/sync/init again.");
        var owner = actor.UserId;
        var rows = await db.SyncChanges.AsNoTracking()
            .Where(c => c.OwnerId == owner && c.Seq > after && c.Seq <= head)
            .OrderBy(c => c.Seq).Take(take + 1).ToListAsync(ct);
        // Rows for everybody (the feature flags): at most one per entity, read apart so the owner's
        // query keeps its index range.
        var shared = await db.SyncChanges.AsNoTracking()
            .Where(c => c.OwnerId == Guid.Empty && c.Seq > after && c.Seq <= head).ToListAsync(ct);
        if (shared.Count > 0)
            rows = rows.Concat(shared).OrderBy(c => c.Seq).Take(take + 1).ToList();
        var hasMore = rows.Count > take;
        if (hasMore)
            rows.RemoveAt(rows.Count - 1);

        var entities = await LoadAsync(actor, rows, ct);
        var items = new List<SyncChangeItem>(rows.Count);
        foreach (var row in rows)
        {
            if (row.Operation == SyncOperation.Delete)
                items.Add(new SyncChangeItem(row.Seq, row.EntityType, row.EntityId, SyncOperation.Delete, null));
            else if (entities.TryGetValue(row.EntityId, out var entity))
                items.Add(new SyncChangeItem(row.Seq, row.EntityType, row.EntityId, SyncOperation.Upsert, entity));
            // else: deleted since; its tombstone (or its session's) comes later in the feed.
        }
        return new SyncChangesPage(items, SyncCursor.Format(hasMore ? rows[^1].Seq : head), hasMore);
    }

    private async Task<Dictionary<Guid, object>> LoadAsync(Actor actor, List<SyncChange> rows, CancellationToken ct)
    {
        var owner = actor.UserId;
        List<Guid> Ids(string type) => rows.Where(r => r.EntityType == type && r.Operation == SyncOperation.Upsert).Select(r => r.EntityId).ToList();
        var result = new Dictionary<Guid, object>();
        var projectIds = Ids(SyncEntityTypes.Project);
        if (projectIds.Count > 0)
            foreach (var p in await db.Projects.AsNoTracking().Where(p => p.OwnerId == owner && projectIds.Contains(p.Id)).ToListAsync(ct))
                result[p.Id] = p;
        var sessionIds = Ids(SyncEntityTypes.ChatSession);
        if (sessionIds.Count > 0)
            foreach (var s in await db.ChatSessions.AsNoTracking().Where(s => s.UserId == owner && sessionIds.Contains(s.Id)).ToListAsync(ct))
                result[s.Id] = s;
        var messageIds = Ids(SyncEntityTypes.ChatMessage);
        if (messageIds.Count > 0)
            foreach (var m in await db.ChatMessages.AsNoTracking().Where(m => m.Session!.UserId == owner && messageIds.Contains(m.Id)).ToListAsync(ct))
                result[m.Id] = m;
        if (Ids(SyncEntityTypes.Features).Count > 0)
            result[Guid.Empty] = await features.ForAsync(Features.FeatureUser.From(actor), ct);
        return result;
    }
}

/// <summary>The opaque cursor of the change feed: a feed position, versioned and base64url-encoded.</summary>
public static class SyncCursor
{
    private const string Prefix = "c1.";

    public static string Format(long seq) =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes(Prefix + seq.ToString(CultureInfo.InvariantCulture)));

    public static long Parse(string cursor)
    {
        try
        {
            var text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor.Trim()));
            if (text.StartsWith(Prefix, StringComparison.Ordinal)
                && long.TryParse(text.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
                return seq;
        }
        catch (FormatException)
        {
        }
        throw ValidationFailedException.For("since", "since must be a cursor from /api/sync/init or /api/sync/changes.");
    }
}
