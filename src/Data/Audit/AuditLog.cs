using System.Text.Json;
using Catalyst.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Audit;

public sealed record AuditQuery(string? EntityType = null, string? User = null, DateTime? From = null, DateTime? To = null, string? Action = null);

/// <summary>
/// Adds audit entries to the current unit of work, so an entry is saved in the same transaction
/// as the change it describes (or not at all). The log is append-only: nothing in Catalyst updates
/// or deletes an entry (the DbContext refuses to, see <see cref="CatalystDbContext"/>).
/// </summary>
public sealed class AuditLog(CatalystDbContext db, TimeProvider time)
{
    /// <summary>What entries made by Catalyst itself (jobs, deliveries) show as their actor.</summary>
    public const string SystemActor = "system";

    public void Record(Actor actor, string action, string entityType, object? entityId, object? details = null) =>
        Add(actor.UserId, actor.Email, action, entityType, entityId, details);

    /// <summary>An entry made by Catalyst itself rather than by a person.</summary>
    public void RecordSystem(string action, string entityType, object? entityId, object? details = null) =>
        Add(null, SystemActor, action, entityType, entityId, details);

    /// <summary>An entry about someone who is not (yet) signed in, a sign-in attempt: the account, when known, and the e-mail as typed.</summary>
    public void RecordUnauthenticated(Guid? userId, string? email, string action, string entityType, object? entityId, object? details = null) =>
        Add(userId, Truncate(email?.Trim(), 256), action, entityType, entityId, details);

    /// <summary>Records an entry and saves it at once (events that are not part of another change).</summary>
    public async Task WriteAsync(Action<AuditLog> record, CancellationToken ct)
    {
        record(this);
        await db.SaveChangesAsync(ct);
    }

    private void Add(Guid? actorId, string? email, string action, string entityType, object? entityId, object? details) =>
        db.AuditEntries.Add(new AuditEntry
        {
            Id = Guid.CreateVersion7(),
            At = Clock.UtcNow(time),
            ActorId = actorId,
            ActorEmail = email,
            Action = action,
            EntityType = entityType,
            EntityId = entityId?.ToString(),
            Details = details is null ? null : JsonSerializer.Serialize(details, JsonSerializerOptions.Web),
        });

    /// <summary>Newest first; <c>User</c> matches the actor's e-mail (contains) or id; <c>Action</c> matches a prefix (<c>secret.</c>).</summary>
    public async Task<Page<AuditEntry>> ListAsync(AuditQuery query, PageRequest page, CancellationToken ct)
    {
        var entries = Filter(query);
        var total = await entries.CountAsync(ct);
        var items = await Newest(entries).Skip(page.Skip).Take(page.PageSize).ToListAsync(ct);
        return new Page<AuditEntry>(items, page.Page, page.PageSize, total);
    }

    /// <summary>Every entry <paramref name="query"/> selects, newest first, read as it is consumed (an export of the whole log stays small in memory).</summary>
    public IAsyncEnumerable<AuditEntry> StreamAsync(AuditQuery query) => Newest(Filter(query)).AsAsyncEnumerable();

    private IQueryable<AuditEntry> Filter(AuditQuery query)
    {
        var entries = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.EntityType))
            entries = entries.Where(e => e.EntityType == query.EntityType);
        if (!string.IsNullOrWhiteSpace(query.User))
        {
            var user = query.User.Trim();
            entries = Guid.TryParse(user, out var id)
                ? entries.Where(e => e.ActorId == id)
                : entries.Where(e => e.ActorEmail!.Contains(user));
        }
        if (!string.IsNullOrWhiteSpace(query.Action))
        {
            var action = query.Action.Trim();
            entries = entries.Where(e => e.Action.StartsWith(action));
        }
        if (query.From is { } from)
            entries = entries.Where(e => e.At >= from);
        if (query.To is { } to)
            entries = entries.Where(e => e.At <= to);
        return entries;
    }

    private static IQueryable<AuditEntry> Newest(IQueryable<AuditEntry> entries) => entries.OrderByDescending(e => e.At).ThenByDescending(e => e.Id);

    /// <summary>The entity types that occur in the log, for the admin page's filter.</summary>
    public async Task<IReadOnlyList<string>> EntityTypesAsync(CancellationToken ct) =>
        await db.AuditEntries.AsNoTracking().Select(e => e.EntityType).Distinct().OrderBy(t => t).ToListAsync(ct);

    private static string? Truncate(string? text, int max) => text is { Length: > 0 } t && t.Length > max ? t[..max] : text;
}
