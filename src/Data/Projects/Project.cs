using Catalyst.Data.Common;
using Catalyst.Data.Identity;

namespace Catalyst.Data.Projects;

public enum ProjectStatus { Active, Archived }

public class Project : ITimestamped, IVersioned
{
    public Guid Id { get; set; }
    public Guid OwnerId { get; set; }
    public CatalystUser? Owner { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public ProjectStatus Status { get; set; }
    public List<string> Tags { get; set; } = [];

    // Marketplace fields live on the same row (SPEC §5, §13).
    public bool IsPublished { get; set; }
    public DateTime? PublishedAt { get; set; }
    public long? Price { get; set; }
    public string? Currency { get; set; }
    public string? Category { get; set; }
    public long DownloadCount { get; set; }
    public double RatingAverage { get; set; }
    public int RatingCount { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public long Version { get; set; }
}
