using Catalyst.Data.Common;
using Catalyst.Data.Projects;
using Catalyst.Data.Changes;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Chat;

/// <summary>Chat sessions keep their messages when their project is deleted and lose the link (no cascade, see ChatSessionConfiguration).</summary>
public sealed class ChatProjectLinks(CatalystDbContext db, ChangeSet changes) : IProjectDependent
{
    public async Task ProjectDeletingAsync(Guid projectId, CancellationToken ct)
    {
        var sessions = await db.ChatSessions.AsNoTracking().Where(s => s.ProjectId == projectId).Select(s => new { s.Id, s.UserId }).ToListAsync(ct);
        foreach (var session in sessions)
            changes.Upserted(SyncEntityTypes.ChatSession, session.Id, session.UserId);
    }

    public async Task ProjectDeletedAsync(Guid projectId, CancellationToken ct)
    {
        var now = Clock.UtcNow(db.Time);
        await db.ChatSessions.Where(s => s.ProjectId == projectId).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.ProjectId, (Guid?)null)
            .SetProperty(x => x.UpdatedAt, now)
            .SetProperty(x => x.Version, x => x.Version + 1), ct);
    }
}
