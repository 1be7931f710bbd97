using Catalyst.Data.Audit;
using Catalyst.Data.Caching;
using Catalyst.Data.Common;
using Catalyst.Data.Search;
using Catalyst.Data.Changes;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Projects;

/// <summary>
/// Every read and write of projects, owner-scoped: an admin sees all, others their own. Writes go
/// through <see cref="ChangeSet"/> (change feed, search index, cache); single reads through the metadata cache.
/// </summary>
public sealed class ProjectService(CatalystDbContext db, AuditLog audit, ChangeSet changes, MetadataCache cache, IEnumerable<IProjectDependent> dependents)
{
    public async Task<Page<Project>> ListAsync(Actor actor, ProjectQuery query, PageRequest page, CancellationToken ct)
    {
        var projects = Visible(actor);
        if (query.Status is { } status)
            projects = projects.Where(p => p.Status == status);
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var pattern = "%" + EscapeLike(query.Search.Trim()) + "%";
            projects = projects.Where(p => EF.Functions.Like(p.Name, pattern, "\\"));
        }

        var total = await projects.CountAsync(ct);
        var items = await projects
            .OrderByDescending(p => p.UpdatedAt).ThenByDescending(p => p.Id)
            .Skip(page.Skip).Take(page.PageSize)
            .AsNoTracking()
            .ToListAsync(ct);
        return new Page<Project>(items, page.Page, page.PageSize, total);
    }

    /// <summary>One project, from the metadata cache (a copy: callers may not change the cached row).</summary>
    public async Task<Project> GetAsync(Actor actor, Guid id, CancellationToken ct)
    {
        var project = await cache.GetOrCreateAsync($"project:{id:N}", [MetadataCache.EntityTag(SyncEntityTypes.Project, id)],
            c => db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, c), _ => 1, ct);
        if (project is null || !actor.CanAccess(project.OwnerId))
            throw new NotFoundException("Project");
        return Copy(project);
    }

    public async Task<Project> CreateAsync(Actor actor, ProjectInput input, CancellationToken ct)
    {
        var (name, description, tags) = ProjectRules.Validate(input);
        var project = new Project
        {
            Id = Guid.CreateVersion7(),
            OwnerId = actor.UserId,
            Name = name,
            Description = description,
            Tags = tags,
            Status = input.Status ?? ProjectStatus.Active,
        };
        db.Projects.Add(project);
        if (actor.IsAdmin)
            audit.Record(actor, "project.create", nameof(Project), project.Id, new { name });
        Track(project, created: true);
        await changes.SaveAsync(ct);
        return project;
    }

    /// <summary>Replaces the editable fields. <paramref name="expectedVersion"/> is the client's If-Match.</summary>
    public async Task<Project> UpdateAsync(Actor actor, Guid id, long expectedVersion, ProjectInput input, CancellationToken ct)
    {
        var (name, description, tags) = ProjectRules.Validate(input);
        var project = await LoadForWriteAsync(actor, id, expectedVersion, ct);
        project.Name = name;
        project.Description = description;
        project.Tags = tags;
        if (input.Status is { } status)
            project.Status = status;
        foreach (var dependent in dependents)
            await dependent.ProjectUpdatingAsync(project, ct);
        if (actor.IsAdmin)
            audit.Record(actor, "project.update", nameof(Project), project.Id, new { name, status = project.Status });
        await SaveAsync(project, ct);
        return project;
    }

    public async Task<Project> SetStatusAsync(Actor actor, Guid id, long? expectedVersion, ProjectStatus status, CancellationToken ct)
    {
        var project = await LoadForWriteAsync(actor, id, expectedVersion, ct);
        if (project.Status == status)
            return project;
        project.Status = status;
        if (actor.IsAdmin)
            audit.Record(actor, status == ProjectStatus.Archived ? "project.archive" : "project.restore", nameof(Project), project.Id);
        await SaveAsync(project, ct);
        return project;
    }

    public async Task DeleteAsync(Actor actor, Guid id, long? expectedVersion, CancellationToken ct)
    {
        var project = await LoadForWriteAsync(actor, id, expectedVersion, ct);
        db.Projects.Remove(project);
        if (actor.IsAdmin)
            audit.Record(actor, "project.delete", nameof(Project), project.Id, new { name = project.Name });
        changes.Deleted(SyncEntityTypes.Project, project.Id, project.OwnerId);
        changes.Search.Remove(SearchDocumentType.Project, project.Id);
        // Nothing that pointed at the project is left pointing at it: each dependent part detaches or releases its rows.
        foreach (var dependent in dependents)
            await dependent.ProjectDeletingAsync(id, ct);
        await SaveAsync(project, ct, async c =>
        {
            foreach (var dependent in dependents)
                await dependent.ProjectDeletedAsync(id, c);
        });
    }

    private IQueryable<Project> Visible(Actor actor) =>
        actor.IsAdmin ? db.Projects : db.Projects.Where(p => p.OwnerId == actor.UserId);

    private async Task<Project> LoadForWriteAsync(Actor actor, Guid id, long? expectedVersion, CancellationToken ct)
    {
        var project = await Visible(actor).FirstOrDefaultAsync(p => p.Id == id, ct)
            ?? throw new NotFoundException("Project");
        if (expectedVersion is { } expected && project.Version != expected)
            throw new VersionConflictException(project.Version);
        return project;
    }

    private void Track(Project project, bool created = false)
    {
        changes.Upserted(SyncEntityTypes.Project, project.Id, project.OwnerId, created);
        changes.Search.Index(() => ProjectSearchSource.Document(project));
    }

    private static Project Copy(Project p) => new()
    {
        Id = p.Id, OwnerId = p.OwnerId, Name = p.Name, Description = p.Description, Status = p.Status, Tags = [.. p.Tags],
        IsPublished = p.IsPublished, PublishedAt = p.PublishedAt, Price = p.Price, Currency = p.Currency, Category = p.Category,
        DownloadCount = p.DownloadCount, RatingAverage = p.RatingAverage, RatingCount = p.RatingCount,
        CreatedAt = p.CreatedAt, UpdatedAt = p.UpdatedAt, Version = p.Version,
    };

    private async Task SaveAsync(Project project, CancellationToken ct, Func<CancellationToken, Task>? inTransaction = null)
    {
        if (db.Entry(project).State == EntityState.Modified)
            Track(project);
        try
        {
            await changes.SaveAsync(ct, inTransaction);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Someone else wrote between our read and our write: report their version.
            var current = await db.Projects.AsNoTracking().Where(p => p.Id == project.Id).Select(p => (long?)p.Version).FirstOrDefaultAsync(ct);
            if (current is null)
                throw new NotFoundException("Project");
            throw new VersionConflictException(current.Value);
        }
    }

    internal static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("%", "\\%", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal);
}
