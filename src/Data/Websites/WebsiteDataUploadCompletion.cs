using System.Globalization;
using System.Text.Json;
using Catalyst.Data.Common;
using Catalyst.Data.Storage;
using Catalyst.Data.Uploads;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Websites;

/// <summary>
/// <c>target=website-data</c>: the uploaded JSON document becomes a new version of the website's
/// data, under the same conflict rules as PUT (the <c>ifMatch</c> metadata is the If-Match): a
/// stale one is kept as a conflict backup, and the upload's result says so.
/// </summary>
public sealed class WebsiteDataUploadCompletion(CatalystDbContext db, WebsiteService websites, WebsiteDataService data) : IUploadCompletionHandler
{
    public string Target => UploadTargets.WebsiteData;

    public async Task ValidateAsync(Actor actor, Upload upload, IReadOnlyDictionary<string, string?> metadata, CancellationToken ct)
    {
        if (!metadata.TryGetValue("websiteId", out var value) || !Guid.TryParse(value, out var websiteId))
            throw ValidationFailedException.For("websiteId", "A website-data upload names its website (websiteId metadata).");
        await websites.GetAsync(actor, websiteId, ct);
        upload.WebsiteId = websiteId;
        if (string.IsNullOrWhiteSpace(upload.IfMatch))
            throw new PreconditionRequiredException();
        ParseVersion(upload.IfMatch);
    }

    public async Task<object?> PrepareAsync(Upload upload, BlobInfo blob, CancellationToken ct) =>
        await data.StoreDocumentAsync(blob.Sha256, ct);

    public async Task<string?> CompleteAsync(Upload upload, BlobInfo blob, object? prepared, CancellationToken ct)
    {
        var email = await db.Users.Where(u => u.Id == upload.OwnerId).Select(u => u.Email).FirstOrDefaultAsync(ct) ?? "";
        var isAdmin = await db.UserRoles.AnyAsync(r => r.UserId == upload.OwnerId && db.Roles.Any(role => role.Id == r.RoleId && role.Name == Identity.Roles.Admin), ct);
        var owner = new Actor(upload.OwnerId, email, isAdmin);
        // Checked at creation; since then the website may be gone, or its id reused by someone else.
        if (!await websites.IsAccessibleAsync(owner, upload.WebsiteId!.Value, ct))
            throw UploadTargets.Gone("website");
        var result = await data.CommitSectionsAsync(owner, upload.WebsiteId!.Value, ParseVersion(upload.IfMatch!), WebsiteDataSources.Upload,
            (IReadOnlyDictionary<string, BlobInfo?>)prepared!, ct);
        return JsonSerializer.Serialize(new
        {
            websiteId = upload.WebsiteId,
            version = result.Version.Version,
            conflict = result.Conflict,
            currentVersion = result.CurrentVersion,
        }, JsonSerializerOptions.Web);
    }

    private static int ParseVersion(string value) =>
        int.TryParse(value.Trim().Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : throw ValidationFailedException.For("ifMatch", "ifMatch is the data's ETag, e.g. \"3\" (0 before the first version).");
}
