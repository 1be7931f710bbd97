using Catalyst.Data.Common;
using Catalyst.Data.Identity;

namespace Catalyst.Data.Assets;

/// <summary>A user's file over the content-addressable store: metadata here, bytes in the blob named by <see cref="Sha256"/>.</summary>
public class Asset : ITimestamped
{
    public Guid Id { get; set; }
    public Guid OwnerId { get; set; }
    public CatalystUser? Owner { get; set; }
    public Guid? WebsiteId { get; set; }
    public Guid? ProjectId { get; set; }
    public required string FileName { get; set; }
    public required string MediaType { get; set; }
    public long Length { get; set; }
    public required string Sha256 { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
