using Catalyst.Data.Audit;
using Catalyst.Data.Common;
using Catalyst.Data.Marketplace;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Projects;

/// <summary>Every read and write of projects, owner-scoped: an admin sees all, others their own.</summary>
public sealed class ProjectService(CatalystDbContext db, AuditLog audit)
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

    public async Task<Project> GetAsync(Actor actor, Guid id, CancellationToken ct) =>
        await Visible(actor).AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct)
        ?? throw new NotFoundException("Project");

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
        await db.SaveChangesAsync(ct);
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
        if (project.IsPublished)
            await MarketplaceSearchTerms.ReplaceAsync(db, project, ct); // browse finds it by its new name and tags
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
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await MarketplacePackages.ReleaseAsync(db, id, ct); // the package's blob becomes garbage; purchases stay as records
        db.Projects.Remove(project);
        if (actor.IsAdmin)
            audit.Record(actor, "project.delete", nameof(Project), project.Id, new { name = project.Name });
        await SaveAsync(project, ct);
        await tx.CommitAsync(ct);
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

    private async Task SaveAsync(Project project, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
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
