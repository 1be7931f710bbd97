namespace Catalyst.Data.Assets;

/// <summary>
/// A presigned, single-use permission to create one upload as <see cref="UserId"/>, of exactly
/// <see cref="Length"/> bytes, into the bound target. <see cref="UsedAt"/> is set by one
/// conditional UPDATE, so one use wins whatever the number of concurrent requests or Portals.
/// </summary>
public class UploadGrant
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public long Length { get; set; }
    public required string FileName { get; set; }
    public required string MediaType { get; set; }
    public Guid? ProjectId { get; set; }
    public Guid? WebsiteId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? UsedAt { get; set; }
    /// <summary>The upload the grant created; its HEAD/PATCH/DELETE are authorized by the grant URL.</summary>
    public Guid? UploadId { get; set; }

    /// <summary>What the signature binds besides the grant id and expiry.</summary>
    public string Binding => $"{UserId:N}\n{Length}\n{ProjectId:N}\n{WebsiteId:N}";
}
