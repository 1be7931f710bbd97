using Catalyst.Data.Search;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Projects;

/// <summary>Projects in the search index: the name counts three times as much as the description; tags are words (×2) and filters.</summary>
public sealed class ProjectSearchSource(CatalystDbContext db) : ISearchSource
{
    public SearchDocumentType Type => SearchDocumentType.Project;

    public static SearchDocumentInput Document(Project project) =>
        new(SearchDocumentType.Project, project.Id, project.OwnerId, project.UpdatedAt,
            [new SearchField(project.Name, 3), new SearchField(project.Description), new SearchField(string.Join(' ', project.Tags), 2)],
            project.Tags);

    public IQueryable<Guid> Ids() => db.Projects.Select(p => p.Id);

    public async Task<IReadOnlyList<SearchDocumentInput>> DocumentsAsync(Guid? after, int take, CancellationToken ct)
    {
        var projects = db.Projects.AsNoTracking();
        if (after is { } last)
            projects = projects.Where(p => p.Id.CompareTo(last) > 0);
        var batch = await projects.OrderBy(p => p.Id).Take(take).ToListAsync(ct);
        return batch.Select(Document).ToList();
    }

    public async Task<IReadOnlyList<SearchHitContent>> HitsAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct) =>
        await db.Projects.AsNoTracking().Where(p => ids.Contains(p.Id))
            .Select(p => new SearchHitContent(p.Id, p.OwnerId, p.Name, p.Description, null, null))
            .ToListAsync(ct);
}
