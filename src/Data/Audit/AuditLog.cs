using System.Text.Json;
using Catalyst.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Audit;

public sealed record AuditQuery(string? EntityType = null, string? User = null, DateTime? From = null, DateTime? To = null);

/// <summary>
/// Adds audit entries to the current unit of work, so an entry is saved in the same transaction
/// as the change it describes (or not at all).
/// </summary>
public sealed class AuditLog(CatalystDbContext db, TimeProvider time)
{
    public void Record(Actor actor, string action, string entityType, object? entityId, object? details = null) =>
        db.AuditEntries.Add(new AuditEntry
        {
            Id = Guid.CreateVersion7(),
            At = Clock.UtcNow(time),
            ActorId = actor.UserId,
            ActorEmail = actor.Email,
            Action = action,
            EntityType = entityType,
            EntityId = entityId?.ToString(),
            Details = details is null ? null : JsonSerializer.Serialize(details, JsonSerializerOptions.Web),
        });

    /// <summary>Newest first; <c>User</c> matches the actor's e-mail (contains) or id.</summary>
    public async Task<Page<AuditEntry>> ListAsync(AuditQuery query, PageRequest page, CancellationToken ct)
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
        if (query.From is { } from)
            entries = entries.Where(e => e.At >= from);
        if (query.To is { } to)
            entries = entries.Where(e => e.At <= to);
        var total = await entries.CountAsync(ct);
        var items = await entries.OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Skip(page.Skip).Take(page.PageSize).ToListAsync(ct);
        return new Page<AuditEntry>(items, page.Page, page.PageSize, total);
    }
}
