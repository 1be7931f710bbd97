using Catalyst.Data.Common;
using Catalyst.Data.Projects;
using Catalyst.Data.Storage;
using Catalyst.Data.Uploads;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Assets;

/// <summary><c>target=asset</c>: the completed upload becomes an Asset with the upload's id.</summary>
public sealed class AssetUploadCompletion(CatalystDbContext db, AssetService assets, Websites.WebsiteService websites) : IUploadCompletionHandler
{
    public string Target => UploadTargets.Asset;

    public async Task ValidateAsync(Actor actor, Upload upload, IReadOnlyDictionary<string, string?> metadata, CancellationToken ct)
    {
        upload.ProjectId = ParseId(metadata, "projectId");
        upload.WebsiteId = ParseId(metadata, "websiteId");
        if (upload.ProjectId is { } projectId)
        {
            var owner = await db.Set<Project>().Where(p => p.Id == projectId).Select(p => (Guid?)p.OwnerId).FirstOrDefaultAsync(ct);
            if (owner is null || !actor.CanAccess(owner.Value))
                throw new NotFoundException("Project");
        }
        if (upload.WebsiteId is { } websiteId && !await websites.IsAccessibleAsync(actor, websiteId, ct))
            throw new NotFoundException("Website");
    }

    public async Task<string?> CompleteAsync(Upload upload, BlobInfo blob, object? prepared, CancellationToken ct)
    {
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

