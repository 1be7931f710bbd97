using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Catalyst.Data.Common;
using Catalyst.Data.Projects;
using Catalyst.Data.Search;
using Catalyst.Data.Changes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Chat;

/// <summary>
/// Chat sessions and messages, owner-scoped (admins see all). Every write goes through
/// <see cref="ChangeSet"/>, so the change feed, the search index and the cache follow it in the same transaction.
/// </summary>
public sealed class ChatService(CatalystDbContext db, ChangeSet changes, IOptions<ChatOptions> options, TimeProvider time)
{
    private ChatOptions Options => options.Value;

    public async Task<Page<ChatSession>> ListSessionsAsync(Actor actor, ChatSessionQuery query, PageRequest page, CancellationToken ct)
    {
        var sessions = Visible(actor);
        if (query.ProjectId is { } projectId)
            sessions = sessions.Where(s => s.ProjectId == projectId);
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var pattern = "%" + ProjectService.EscapeLike(query.Search.Trim()) + "%";
            sessions = sessions.Where(s => EF.Functions.Like(s.Title, pattern, "\\"));
        }
        var total = await sessions.CountAsync(ct);
        var items = await sessions.OrderByDescending(s => s.UpdatedAt).ThenByDescending(s => s.Id)
            .Skip(page.Skip).Take(page.PageSize).AsNoTracking().ToListAsync(ct);
        return new Page<ChatSession>(items, page.Page, page.PageSize, total);
    }

    public async Task<ChatSession> GetSessionAsync(Actor actor, Guid id, CancellationToken ct) =>
        await Visible(actor).AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct) ?? throw new NotFoundException("Chat session");

    public async Task<ChatSession> CreateSessionAsync(Actor actor, ChatSessionInput input, CancellationToken ct)
    {
        var title = ChatRules.ValidateTitle(input.Title);
        if (input.ProjectId is { } projectId)
            await RequireProjectAsync(actor.UserId, projectId, ct);
        var session = new ChatSession { Id = Guid.CreateVersion7(), UserId = actor.UserId, Title = title, ProjectId = input.ProjectId };
        db.ChatSessions.Add(session);
        changes.Upserted(SyncEntityTypes.ChatSession, session.Id, session.UserId, created: true);
        await changes.SaveAsync(ct);
        return session;
    }

    /// <summary>Creates several sessions in one save (imports): each checked as <see cref="CreateSessionAsync"/> checks one; any refusal refuses them all.</summary>
    public async Task<IReadOnlyList<ChatSession>> CreateSessionsAsync(Actor actor, IReadOnlyList<ChatSessionInput> inputs, CancellationToken ct)
    {
        var titles = inputs.Select(i => ChatRules.ValidateTitle(i.Title)).ToList();
        foreach (var projectId in inputs.Select(i => i.ProjectId).OfType<Guid>().Distinct())
            await RequireProjectAsync(actor.UserId, projectId, ct);
        var sessions = new List<ChatSession>(inputs.Count);
        for (var i = 0; i < inputs.Count; i++)
        {
            var session = new ChatSession { Id = Guid.CreateVersion7(), UserId = actor.UserId, Title = titles[i], ProjectId = inputs[i].ProjectId };
            db.ChatSessions.Add(session);
            changes.Upserted(SyncEntityTypes.ChatSession, session.Id, session.UserId, created: true);
            sessions.Add(session);
        }
        await changes.SaveAsync(ct);
        return sessions;
    }

    public async Task<ChatSession> UpdateSessionAsync(Actor actor, Guid id, long? expectedVersion, ChatSessionPatch patch, CancellationToken ct)
    {
        var title = patch.Title is null ? null : ChatRules.ValidateTitle(patch.Title);
        var session = await LoadForWriteAsync(actor, id, expectedVersion, ct);
        if (patch.ProjectId is { } projectId && projectId != session.ProjectId)
            await RequireProjectAsync(session.UserId, projectId, ct);
        if (title is not null)
            session.Title = title;
        if (patch.DetachProject)
            session.ProjectId = null;
        else if (patch.ProjectId is { } newProject)
            session.ProjectId = newProject;
        if (db.Entry(session).State == EntityState.Unchanged)
            return session;
        changes.Upserted(SyncEntityTypes.ChatSession, session.Id, session.UserId);
        await SaveAsync(session, () => changes.SaveAsync(ct), ct);
        return session;
    }

    /// <summary>Deletes the session with its messages (their postings and feed rows too); clients get the session's tombstone.</summary>
    public async Task DeleteSessionAsync(Actor actor, Guid id, long? expectedVersion, CancellationToken ct)
    {
        var session = await LoadForWriteAsync(actor, id, expectedVersion, ct);
        var messages = db.ChatMessages.Where(m => m.SessionId == id).Select(m => m.Id);
        changes.Search.Remove(SearchDocumentType.Chat, messages);
        changes.DeletedWithParent(SyncEntityTypes.ChatMessage, messages);
        changes.Deleted(SyncEntityTypes.ChatSession, session.Id, session.UserId);
        db.ChatSessions.Remove(session);
        await SaveAsync(session, () => changes.SaveAsync(ct), ct);
    }

    /// <summary>
    /// A page of a session's messages in chronological order: the <paramref name="limit"/> newest before
    /// <paramref name="before"/> (an ISO 8601 time, or the <see cref="ChatMessagePage.Before"/> cursor of
    /// the previous page, which also breaks ties between messages of the same instant).
    /// </summary>
    public async Task<ChatMessagePage> ListMessagesAsync(Actor actor, Guid sessionId, string? before, int? limit, CancellationToken ct)
    {
        var take = limit ?? Options.DefaultPageLimit;
        if (take < 1 || take > Options.MaxPageLimit)
            throw ValidationFailedException.For("limit", $"limit must be between 1 and {Options.MaxPageLimit}.");
        var (beforeAt, beforeId) = ParseBefore(before);
        if (!await Visible(actor).AnyAsync(s => s.Id == sessionId, ct))
            throw new NotFoundException("Chat session");

        var messages = db.ChatMessages.AsNoTracking().Where(m => m.SessionId == sessionId);
        if (beforeAt is { } at)
        {
            messages = beforeId is { } tie
                ? messages.Where(m => m.CreatedAt < at || (m.CreatedAt == at && m.Id.CompareTo(tie) < 0))
                : messages.Where(m => m.CreatedAt < at);
        }
        var page = await messages.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).Take(take + 1).ToListAsync(ct);
        var more = page.Count > take;
        if (more)
            page.RemoveAt(page.Count - 1);
        page.Reverse();
        return new ChatMessagePage(page, more ? FormatBefore(page[0]) : null);
    }

    /// <summary>
    /// Stores a batch of messages idempotently. The rule: each row is checked on its own; rows that fail
    /// are reported in <see cref="ChatBatchResult.Errors"/> and skipped, and all the other rows are stored
    /// together in one transaction (all of them or, on a server failure, none). A row whose
    /// (session, clientId) already exists is not stored again: its existing id is answered, so a replay
    /// of the same batch answers the same ids and creates nothing (the first content wins). The same
    /// clientId twice in one batch for the same session is one message; for two sessions, the second
    /// is refused (ids are answered by clientId).
    /// </summary>
    public async Task<ChatBatchResult> AppendBatchAsync(Actor actor, IReadOnlyList<ChatMessageInput?>? messages, CancellationToken ct)
    {
        if (messages is null)
            throw ValidationFailedException.For("messages", "messages is required.");
        if (messages.Count > Options.MaxBatchMessages)
            throw ValidationFailedException.For("messages", $"At most {Options.MaxBatchMessages} messages per batch (got {messages.Count}).");

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryAppendBatchAsync(actor, messages, ct);
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // A concurrent copy of the same batch (unique clientId) or a concurrent write to the same
                // session (its version) won the race: start over, and its rows are found as existing.
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<ChatBatchResult> TryAppendBatchAsync(Actor actor, IReadOnlyList<ChatMessageInput?> messages, CancellationToken ct)
    {
        var now = Clock.UtcNow(time);
        var errors = new List<ChatBatchError>();
        var rows = new List<ChatRules.ValidRow>();
        for (var i = 0; i < messages.Count; i++)
        {
            var (row, error) = ChatRules.ValidateRow(i, messages[i], Options, now);
            if (error is not null)
                errors.Add(error);
            else
                rows.Add(row!);
        }

        var sessionIds = rows.Select(r => r.SessionId).Distinct().ToList();
        var sessions = await Visible(actor).Where(s => sessionIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, ct);
        var clientIds = rows.Select(r => r.ClientId).Distinct().ToList();
        var existing = (await db.ChatMessages.AsNoTracking()
                .Where(m => sessionIds.Contains(m.SessionId) && clientIds.Contains(m.ClientId))
                .Select(m => new { m.SessionId, m.ClientId, m.Id }).ToListAsync(ct))
            .ToDictionary(m => (m.SessionId, m.ClientId), m => m.Id);

        var ids = new Dictionary<string, Guid>(StringComparer.Ordinal);
        var sessionOfClientId = new Dictionary<string, Guid>(StringComparer.Ordinal);
        int created = 0, found = 0;
        foreach (var row in rows)
        {
            if (!sessions.TryGetValue(row.SessionId, out var session))
            {
                errors.Add(new ChatBatchError(row.Index, row.ClientId, "session_not_found", "The chat session does not exist or is not yours."));
                continue;
            }
            if (sessionOfClientId.TryGetValue(row.ClientId, out var other) && other != row.SessionId)
            {
                errors.Add(new ChatBatchError(row.Index, row.ClientId, "duplicate_client_id", "The same clientId is used for another session in this batch."));
                continue;
            }
            sessionOfClientId[row.ClientId] = row.SessionId;
            if (existing.TryGetValue((row.SessionId, row.ClientId), out var id))
            {
                ids[row.ClientId] = id;
                found++;
                continue;
            }

            var message = new ChatMessage
            {
                Id = Guid.CreateVersion7(),
                SessionId = row.SessionId,
                Role = row.Role,
                Content = row.Content,
                ClientId = row.ClientId,
                CreatedAt = row.CreatedAt ?? now,
            };
            db.ChatMessages.Add(message);
            existing[(row.SessionId, row.ClientId)] = message.Id;
            ids[row.ClientId] = message.Id;
            created++;
            session.MessageCount++;
            if (session.LastMessageAt is null || message.CreatedAt > session.LastMessageAt)
                session.LastMessageAt = message.CreatedAt;
            var ownerId = session.UserId;
            changes.Upserted(SyncEntityTypes.ChatMessage, message.Id, ownerId, created: true);
            changes.Search.Index(() => ChatSearchSource.Document(message, ownerId));
        }

        foreach (var session in sessions.Values.Where(s => db.Entry(s).State == EntityState.Modified))
            changes.Upserted(SyncEntityTypes.ChatSession, session.Id, session.UserId);
        if (created > 0)
            await changes.SaveAsync(ct);
        errors.Sort((a, b) => a.Index.CompareTo(b.Index));
        return new ChatBatchResult(ids, created, found, errors);
    }

    private IQueryable<ChatSession> Visible(Actor actor) =>
        actor.IsAdmin ? db.ChatSessions : db.ChatSessions.Where(s => s.UserId == actor.UserId);

    /// <summary>A session may only be filed under a project of its own owner (an admin's session too), so a list by project never reaches another user's rows.</summary>
    private async Task RequireProjectAsync(Guid sessionOwnerId, Guid projectId, CancellationToken ct)
    {
        if (!await db.Projects.AnyAsync(p => p.Id == projectId && p.OwnerId == sessionOwnerId, ct))
            throw ValidationFailedException.For("projectId", "The project does not exist or is not yours.");
    }

    private async Task<ChatSession> LoadForWriteAsync(Actor actor, Guid id, long? expectedVersion, CancellationToken ct)
    {
        var session = await Visible(actor).FirstOrDefaultAsync(s => s.Id == id, ct) ?? throw new NotFoundException("Chat session");
        if (expectedVersion is { } expected && session.Version != expected)
            throw new VersionConflictException(session.Version);
        return session;
    }

    private async Task SaveAsync(ChatSession session, Func<Task> save, CancellationToken ct)
    {
        try
        {
            await save();
        }
        catch (DbUpdateConcurrencyException)
        {
            var current = await db.ChatSessions.AsNoTracking().Where(s => s.Id == session.Id).Select(s => (long?)s.Version).FirstOrDefaultAsync(ct);
            if (current is null)
                throw new NotFoundException("Chat session");
            throw new VersionConflictException(current.Value);
        }
    }

    private static string FormatBefore(ChatMessage oldest) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"m1:{oldest.CreatedAt.Ticks}:{oldest.Id:N}")));

    private static (DateTime? At, Guid? Id) ParseBefore(string? before)
    {
        if (string.IsNullOrWhiteSpace(before))
            return (null, null);
        if (DateTimeOffset.TryParse(before, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            return (time.UtcDateTime, null);
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(before.Trim())).Split(':');
            if (parts is ["m1", var ticks, var id] && long.TryParse(ticks, NumberStyles.None, CultureInfo.InvariantCulture, out var t)
                && t >= DateTime.MinValue.Ticks && t <= DateTime.MaxValue.Ticks && Guid.TryParseExact(id, "N", out var guid))
                return (new DateTime(t, DateTimeKind.Utc), guid);
        }
        catch (FormatException)
        {
        }
        throw ValidationFailedException.For("before", "before must be an ISO 8601 time or the cursor of a previous page.");
    }
}
