using System.Text.Json;
using Catalyst.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Websites;

public sealed record ContentTypeInput(string? Name, string? Slug, IReadOnlyList<ContentField?>? Fields);

public sealed record ContentItemInput(Guid? ContentTypeId, JsonElement? Data, ContentItemStatus? Status);

public sealed record ContentItemQuery(Guid? ContentTypeId = null, ContentItemStatus? Status = null);

/// <summary>
/// A website's content model: its content types (field schemas) and the items written against
/// them. Everything is reached through its website, so the website's owner rule covers it.
/// </summary>
public sealed class ContentModelService(CatalystDbContext db, WebsiteService websites)
{
    public async Task<List<ContentType>> ListTypesAsync(Actor actor, Guid websiteId, CancellationToken ct)
    {
        await websites.GetAsync(actor, websiteId, ct);
        return await db.Set<ContentType>().AsNoTracking().Where(t => t.WebsiteId == websiteId).OrderBy(t => t.Name).ToListAsync(ct);
    }

    public async Task<ContentType> GetTypeAsync(Actor actor, Guid websiteId, Guid typeId, CancellationToken ct)
    {
        await websites.GetAsync(actor, websiteId, ct);
        return await db.Set<ContentType>().AsNoTracking().FirstOrDefaultAsync(t => t.WebsiteId == websiteId && t.Id == typeId, ct)
            ?? throw new NotFoundException("Content type");
    }

    public async Task<ContentType> CreateTypeAsync(Actor actor, Guid websiteId, ContentTypeInput input, CancellationToken ct)
    {
        await websites.GetAsync(actor, websiteId, ct);
        var (name, slug, fields) = ValidateType(input);
        var type = new ContentType { Id = Guid.CreateVersion7(), WebsiteId = websiteId, Name = name, Slug = slug, Fields = ContentSchema.Serialize(fields) };
        db.Set<ContentType>().Add(type);
        await SaveAsync(type.Id, isType: true, ct);
        return type;
    }

    public async Task<ContentType> UpdateTypeAsync(Actor actor, Guid websiteId, Guid typeId, long expectedVersion, ContentTypeInput input, CancellationToken ct)
    {
        await websites.GetAsync(actor, websiteId, ct);
        var (name, slug, fields) = ValidateType(input);
        var type = await db.Set<ContentType>().FirstOrDefaultAsync(t => t.WebsiteId == websiteId && t.Id == typeId, ct) ?? throw new NotFoundException("Content type");
        if (type.Version != expectedVersion)
            throw new VersionConflictException(type.Version);
        (type.Name, type.Slug, type.Fields) = (name, slug, ContentSchema.Serialize(fields));
        await SaveAsync(type.Id, isType: true, ct);
        return type;
    }

    public async Task DeleteTypeAsync(Actor actor, Guid websiteId, Guid typeId, CancellationToken ct)
    {
        await websites.GetAsync(actor, websiteId, ct);
        var type = await db.Set<ContentType>().FirstOrDefaultAsync(t => t.WebsiteId == websiteId && t.Id == typeId, ct) ?? throw new NotFoundException("Content type");
        if (await db.Set<ContentItem>().AnyAsync(i => i.ContentTypeId == typeId, ct))
            throw new ConflictException("content_type_in_use", "Delete this type's items first.");
        db.Set<ContentType>().Remove(type);
        await db.SaveChangesAsync(ct);
    }

    public async Task<Page<ContentItem>> ListItemsAsync(Actor actor, Guid websiteId, ContentItemQuery query, PageRequest page, CancellationToken ct)
    {
        await websites.GetAsync(actor, websiteId, ct);
        var items = db.Set<ContentItem>().AsNoTracking().Where(i => i.WebsiteId == websiteId);
        if (query.ContentTypeId is { } typeId) items = items.Where(i => i.ContentTypeId == typeId);
        if (query.Status is { } status) items = items.Where(i => i.Status == status);
        var total = await items.CountAsync(ct);
        var rows = await items.OrderByDescending(i => i.UpdatedAt).ThenByDescending(i => i.Id).Skip(page.Skip).Take(page.PageSize).ToListAsync(ct);
        return new Page<ContentItem>(rows, page.Page, page.PageSize, total);
    }

    public async Task<ContentItem> GetItemAsync(Actor actor, Guid websiteId, Guid itemId, CancellationToken ct)
    {
        await websites.GetAsync(actor, websiteId, ct);
        return await db.Set<ContentItem>().AsNoTracking().FirstOrDefaultAsync(i => i.WebsiteId == websiteId && i.Id == itemId, ct)
            ?? throw new NotFoundException("Content item");
    }

    public async Task<ContentItem> CreateItemAsync(Actor actor, Guid websiteId, ContentItemInput input, CancellationToken ct)
    {
        await websites.GetAsync(actor, websiteId, ct);
        var (type, data) = await ValidateItemAsync(websiteId, input, null, ct);
        var item = new ContentItem { Id = Guid.CreateVersion7(), WebsiteId = websiteId, ContentTypeId = type.Id, Data = data, Status = input.Status ?? ContentItemStatus.Draft };
        db.Set<ContentItem>().Add(item);
        await db.SaveChangesAsync(ct);
        return item;
    }

    public async Task<ContentItem> UpdateItemAsync(Actor actor, Guid websiteId, Guid itemId, long expectedVersion, ContentItemInput input, CancellationToken ct)
    {
        await websites.GetAsync(actor, websiteId, ct);
        var item = await db.Set<ContentItem>().FirstOrDefaultAsync(i => i.WebsiteId == websiteId && i.Id == itemId, ct) ?? throw new NotFoundException("Content item");
        if (item.Version != expectedVersion)
            throw new VersionConflictException(item.Version);
        var (type, data) = await ValidateItemAsync(websiteId, input with { ContentTypeId = input.ContentTypeId ?? item.ContentTypeId }, itemId, ct);
        (item.ContentTypeId, item.Data) = (type.Id, data);
        if (input.Status is { } status)
            item.Status = status;
        await SaveAsync(item.Id, isType: false, ct);
        return item;
    }

    public async Task DeleteItemAsync(Actor actor, Guid websiteId, Guid itemId, CancellationToken ct)
    {
        await websites.GetAsync(actor, websiteId, ct);
        var deleted = await db.Set<ContentItem>().Where(i => i.WebsiteId == websiteId && i.Id == itemId).ExecuteDeleteAsync(ct);
        if (deleted == 0)
            throw new NotFoundException("Content item");
    }

    private static (string Name, string Slug, List<ContentField> Fields) ValidateType(ContentTypeInput input)
    {
        var errors = new Dictionary<string, string[]>();
        var name = WebsiteRules.ValidName(input.Name, errors);
        var slug = WebsiteRules.ValidSlug(string.IsNullOrWhiteSpace(input.Slug) && name is { Length: > 0 } ? WebsiteRules.Slugify(name) : input.Slug, errors);
        var fields = ContentSchema.ValidFields(input.Fields, errors);
        if (errors.Count > 0)
            throw ContentSchema.Fail(errors);
        return (name!, slug!, fields);
    }

    private async Task<(ContentType Type, string Data)> ValidateItemAsync(Guid websiteId, ContentItemInput input, Guid? itemId, CancellationToken ct)
    {
        if (input.ContentTypeId is not { } typeId)
            throw ValidationFailedException.For("contentTypeId", "contentTypeId is required.");
        var type = await db.Set<ContentType>().AsNoTracking().FirstOrDefaultAsync(t => t.WebsiteId == websiteId && t.Id == typeId, ct)
            ?? throw ValidationFailedException.For("contentTypeId", "No such content type in this website.");
        var data = input.Data is { ValueKind: not JsonValueKind.Undefined } value ? value : JsonDocument.Parse("{}").RootElement;
        var sizeErrors = new Dictionary<string, string[]>();
        var text = WebsiteRules.ValidJsonObject(data, sizeErrors, "data");
        if (sizeErrors.Count > 0)
            throw ContentSchema.Fail(sizeErrors);

        var fields = ContentSchema.Parse(type.Fields);
        var referenced = ReferencedIds(fields, data);
        var existing = referenced.Count == 0 ? [] : (await db.Set<ContentItem>().Where(i => i.WebsiteId == websiteId && referenced.Contains(i.Id))
            .Select(i => i.Id).ToListAsync(ct)).ToHashSet();
        var errors = ContentSchema.ValidateData(fields, data, id => existing.Contains(id) && id != itemId);
        if (errors.Count > 0)
            throw ContentSchema.Fail(errors);
        return (type, text);
    }

    private static List<Guid> ReferencedIds(IReadOnlyList<ContentField> fields, JsonElement data)
    {
        var ids = new List<Guid>();
        if (data.ValueKind != JsonValueKind.Object)
            return ids;
        foreach (var field in fields)
        {
            if (!data.TryGetProperty(field.Name, out var value))
                continue;
            IEnumerable<JsonElement> values = field.Type == FieldTypes.Reference ? [value]
                : field.Type == FieldTypes.List && field.Of == FieldTypes.Reference && value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : [];
            ids.AddRange(values.Where(v => v.ValueKind == JsonValueKind.String).Select(v => Guid.TryParse(v.GetString(), out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty));
        }
        return ids.Distinct().Take(ContentSchema.MaxListItems).ToList();
    }

    private async Task SaveAsync(Guid id, bool isType, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            var current = isType
                ? await db.Set<ContentType>().AsNoTracking().Where(t => t.Id == id).Select(t => (long?)t.Version).FirstOrDefaultAsync(ct)
                : await db.Set<ContentItem>().AsNoTracking().Where(i => i.Id == id).Select(i => (long?)i.Version).FirstOrDefaultAsync(ct);
            throw current is null ? new NotFoundException(isType ? "Content type" : "Content item") : new VersionConflictException(current.Value);
        }
        catch (DbUpdateException) when (isType)
        {
            throw new ConflictException("slug_taken", "Another content type of this website already uses this slug.");
        }
    }
}
