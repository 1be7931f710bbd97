using System.Text.Json;
using Catalyst.Data.Assets;
using Catalyst.Data.Audit;
using Catalyst.Data.Common;
using Catalyst.Data.Storage;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Websites;

public sealed record WebsiteInput(string? Name, string? Slug, string? Description, string? Category, JsonElement? Metadata);

/// <summary>Websites, owner-scoped (admins see all). Deleting one releases its data's blobs to garbage collection.</summary>
public sealed class WebsiteService(CatalystDbContext db, ContentStore content, IEnumerable<IWebsiteDependent> dependents, AuditLog audit)
{
    public async Task<Page<Website>> ListAsync(Actor actor, string? search, PageRequest page, CancellationToken ct)
    {
        var websites = Visible(actor);
        if (!string.IsNullOrWhiteSpace(search))
        {
            var pattern = "%" + Projects.ProjectService.EscapeLike(search.Trim()) + "%";
            websites = websites.Where(w => EF.Functions.Like(w.Name, pattern, "\\") || EF.Functions.Like(w.Slug, pattern, "\\"));
        }
        var total = await websites.CountAsync(ct);
        var items = await websites.OrderByDescending(w => w.UpdatedAt).ThenByDescending(w => w.Id)
            .Skip(page.Skip).Take(page.PageSize).ToListAsync(ct);
        return new Page<Website>(items, page.Page, page.PageSize, total);
    }

    public async Task<Website> GetAsync(Actor actor, Guid id, CancellationToken ct) =>
        await Visible(actor).FirstOrDefaultAsync(w => w.Id == id, ct) ?? throw new NotFoundException("Website");

    /// <summary>Whether the actor may use the website (for other features that reference one).</summary>
    public Task<bool> IsAccessibleAsync(Actor actor, Guid id, CancellationToken ct) => Visible(actor).AnyAsync(w => w.Id == id, ct);

    public async Task<Website> CreateAsync(Actor actor, WebsiteInput input, CancellationToken ct)
    {
        var (name, slug, description, category, metadata) = Validate(input);
        await EnsureSlugFreeAsync(slug, null, ct);
        var website = new Website
        {
            Id = Guid.CreateVersion7(),
            OwnerId = actor.UserId,
            Name = name,
            Slug = slug,
            Description = description,
            Category = category,
            Metadata = metadata,
        };
        db.Set<Website>().Add(website);
        db.Set<WebsiteDataHead>().Add(new WebsiteDataHead { WebsiteId = website.Id });
        if (actor.IsAdmin)
            audit.Record(actor, "website.create", nameof(Website), website.Id, new { name, slug });
        await SaveUniqueAsync(null, ct);
        return website;
    }

    public async Task<Website> UpdateAsync(Actor actor, Guid id, long expectedVersion, WebsiteInput input, CancellationToken ct)
    {
        var (name, slug, description, category, metadata) = Validate(input);
        var website = await Visible(actor, tracking: true).FirstOrDefaultAsync(w => w.Id == id, ct) ?? throw new NotFoundException("Website");
        if (website.Version != expectedVersion)
            throw new VersionConflictException(website.Version);
        if (slug != website.Slug)
            await EnsureSlugFreeAsync(slug, id, ct);
        (website.Name, website.Slug, website.Description, website.Category, website.Metadata) = (name, slug, description, category, metadata);
        if (actor.IsAdmin)
            audit.Record(actor, "website.update", nameof(Website), website.Id, new { name, slug });
        await SaveUniqueAsync(website, ct);
        return website;
    }

    public async Task DeleteAsync(Actor actor, Guid id, long? expectedVersion, CancellationToken ct)
    {
        var website = await Visible(actor, tracking: true).FirstOrDefaultAsync(w => w.Id == id, ct) ?? throw new NotFoundException("Website");
        if (expectedVersion is { } expected && website.Version != expected)
            throw new VersionConflictException(website.Version);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await RemoveAsync(website, ct);
        if (actor.IsAdmin)
            audit.Record(actor, "website.delete", nameof(Website), website.Id, new { website.Name });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// The one way a website goes (API, portal, import overwrite, legacy rollback), in the caller's
    /// transaction: its data versions release their blobs and quota, its assets are deleted with
    /// theirs, its content goes, and the database cascades the rest (content types, data heads,
    /// deployment configs). Nothing is left that points at it.
    /// </summary>
    internal async Task RemoveAsync(Website website, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("A website is removed inside its caller's transaction.");
        await content.RemoveReferencesByPrefixAsync(BlobOwnerTypes.WebsiteDataVersion, $"{website.Id:N}/", ct);
        foreach (var dependent in dependents)
            await dependent.WebsiteRemovingAsync(website.Id, website.OwnerId, ct);
        // Items first: an item's content type may not go while the item exists.
        await db.Set<ContentItem>().Where(i => i.WebsiteId == website.Id).ExecuteDeleteAsync(ct);
        if (db.Entry(website).State == EntityState.Detached)
            db.Attach(website);
        db.Set<Website>().Remove(website);
    }

    internal IQueryable<Website> Visible(Actor actor, bool tracking = false)
    {
        var websites = tracking ? db.Set<Website>() : db.Set<Website>().AsNoTracking();
        return actor.IsAdmin ? websites : websites.Where(w => w.OwnerId == actor.UserId);
    }

    private static (string Name, string Slug, string? Description, string? Category, string Metadata) Validate(WebsiteInput input)
    {
        var errors = new Dictionary<string, string[]>();
        var name = WebsiteRules.ValidName(input.Name, errors);
        var slug = WebsiteRules.ValidSlug(string.IsNullOrWhiteSpace(input.Slug) && name is { Length: > 0 } ? WebsiteRules.Slugify(name) : input.Slug, errors);
        var description = string.IsNullOrWhiteSpace(input.Description) ? null : input.Description.Trim();
        if (description is { Length: > WebsiteRules.MaxDescriptionLength })
            errors["description"] = [$"Description must be at most {WebsiteRules.MaxDescriptionLength} characters."];
        else if (description is not null && !PlainText.IsMultiLine(description))
            errors["description"] = ["Description must be plain text (no control characters other than line breaks and tabs)."];
        var category = string.IsNullOrWhiteSpace(input.Category) ? null : input.Category.Trim();
        if (category is { Length: > 64 })
            errors["category"] = ["Category must be at most 64 characters."];
        var metadata = WebsiteRules.ValidJsonObject(input.Metadata, errors, "metadata");
        if (errors.Count > 0)
            throw WebsiteRules.Fail(errors);
        return (name!, slug!, description, category, metadata);
    }

    private async Task EnsureSlugFreeAsync(string slug, Guid? except, CancellationToken ct)
    {
        if (await db.Set<Website>().AnyAsync(w => w.Slug == slug && w.Id != except, ct))
            throw SlugTaken();
    }

    private async Task SaveUniqueAsync(Website? versioned, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException) when (versioned is not null)
        {
            var current = await db.Set<Website>().AsNoTracking().Where(w => w.Id == versioned.Id).Select(w => (long?)w.Version).FirstOrDefaultAsync(ct);
            throw current is null ? new NotFoundException("Website") : new VersionConflictException(current.Value);
        }
        catch (DbUpdateException)
        {
            // Two requests claimed the same slug at once; the unique index decided.
            throw SlugTaken();
        }
    }

    private static ConflictException SlugTaken() => new("slug_taken", "Another website already uses this slug.");
}
