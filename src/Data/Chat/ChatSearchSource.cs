using System.Text.Json;
using Catalyst.Data.Search;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Chat;

/// <summary>Chat messages in the search index: the content is the text, the message's date the document's.</summary>
public sealed class ChatSearchSource(CatalystDbContext db) : ISearchSource
{
    public SearchDocumentType Type => SearchDocumentType.Chat;

    public static SearchDocumentInput Document(ChatMessage message, Guid ownerId) =>
        new(SearchDocumentType.Chat, message.Id, ownerId, message.CreatedAt, [new SearchField(message.Content)], []);

    public IQueryable<Guid> Ids() => db.ChatMessages.Select(m => m.Id);

    public async Task<IReadOnlyList<SearchDocumentInput>> DocumentsAsync(Guid? after, int take, CancellationToken ct)
    {
        var messages = db.ChatMessages.AsNoTracking();
        if (after is { } last)
            messages = messages.Where(m => m.Id.CompareTo(last) > 0);
        var batch = await messages.OrderBy(m => m.Id).Take(take).Select(m => new { Message = m, Owner = m.Session!.UserId }).ToListAsync(ct);
        return batch.Select(b => Document(b.Message, b.Owner)).ToList();
    }

    public async Task<IReadOnlyList<SearchHitContent>> HitsAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        var messages = await db.ChatMessages.AsNoTracking().Where(m => ids.Contains(m.Id))
            .Select(m => new { m.Id, m.SessionId, m.Role, m.Content, Title = m.Session!.Title, Owner = m.Session.UserId })
            .ToListAsync(ct);
        return messages.Select(m => new SearchHitContent(m.Id, m.Owner, m.Title, m.Content, m.SessionId, JsonNamingPolicy.CamelCase.ConvertName(m.Role.ToString())))
            .ToList();
    }
}
