using Catalyst.Data.Chat;
using Catalyst.Data.Projects;

namespace Catalyst.Data.Search;

/// <summary>What each kind of entity puts in the index; the write paths and the rebuild job both use these.</summary>
public static class SearchSources
{
    public static SearchDocumentInput Message(ChatMessage message, Guid ownerId) =>
        new(SearchDocumentType.Chat, message.Id, ownerId, message.CreatedAt, [new SearchField(message.Content)], []);

    /// <summary>A project's name counts three times as much as its description; its tags are words (×2) and filters.</summary>
    public static SearchDocumentInput Project(Project project) =>
        new(SearchDocumentType.Project, project.Id, project.OwnerId, project.UpdatedAt,
            [new SearchField(project.Name, 3), new SearchField(project.Description), new SearchField(string.Join(' ', project.Tags), 2)],
            project.Tags);
}
