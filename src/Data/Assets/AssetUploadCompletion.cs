using Catalyst.Data.Common;
using Catalyst.Data.Projects;
using Catalyst.Data.Storage;
using Catalyst.Data.Uploads;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Assets;

/// <summary><c>target=asset</c>: the completed upload becomes an Asset with the upload's id.</summary>
public sealed class AssetUploadCompletion(CatalystDbContext db, AssetService assets) : IUploadCompletionHandler
{
    public string Target => UploadTargets.Asset;

    public async Task ValidateAsync(Actor actor, Upload upload, IReadOnlyDictionary<string, string?> metadata, CancellationToken ct)
    {
        upload.ProjectId = ParseId(metadata, "projectId");
        upload.WebsiteId = ParseId(metadata, "websiteId");
        // An asset belongs to its uploader, so it may only be filed under the uploader's own project or
        // website (an admin's upload too): every query by project or website also filters by owner.
        if (upload.ProjectId is { } projectId && !await db.Set<Project>().AnyAsync(p => p.Id == projectId && p.OwnerId == actor.UserId, ct))
            throw new NotFoundException("Project");
        if (upload.WebsiteId is { } websiteId && !await db.Set<Websites.Website>().AnyAsync(w => w.Id == websiteId && w.OwnerId == actor.UserId, ct))
            throw new NotFoundException("Website");
    }

    public async Task<string?> CompleteAsync(Upload upload, BlobInfo blob, object? prepared, CancellationToken ct)
    {
        // The target was checked at creation; it may have been deleted since (and its id even reused by
        // someone else): the uploader must still own it, inside this transaction.
        if (upload.WebsiteId is { } websiteId && !await db.Set<Websites.Website>().AnyAsync(w => w.Id == websiteId && w.OwnerId == upload.OwnerId, ct))
            throw UploadTargets.Gone("website");
        if (upload.ProjectId is { } projectId && !await db.Set<Project>().AnyAsync(p => p.Id == projectId && p.OwnerId == upload.OwnerId, ct))
            throw UploadTargets.Gone("project");
        var asset = await assets.AddAsync(upload.Id, upload.OwnerId, upload.FileName, upload.MediaType, blob, upload.WebsiteId, upload.ProjectId, ct);
        return asset.Id.ToString();
    }

    internal static Guid? ParseId(IReadOnlyDictionary<string, string?> metadata, string key)
    {
        if (!metadata.TryGetValue(key, out var value) || string.IsNullOrWhiteSpace(value))
            return null;
        return Guid.TryParse(value, out var id) ? id : throw ValidationFailedException.For(key, $"{key} must be a GUID.");
    }
}

