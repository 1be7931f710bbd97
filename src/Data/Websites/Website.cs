using Catalyst.Data.Common;
using Catalyst.Data.Identity;

namespace Catalyst.Data.Websites;

/// <summary>A site of the website-builder app: metadata here, its content model and large data alongside.</summary>
public class Website : ITimestamped, IVersioned
{
    public Guid Id { get; set; }
    public Guid OwnerId { get; set; }
    public CatalystUser? Owner { get; set; }
    public required string Name { get; set; }
    /// <summary>Unique across Catalyst; lower-case letters, digits and dashes.</summary>
    public required string Slug { get; set; }
    public string? Description { get; set; }
    public string? Category { get; set; }
    /// <summary>Free-form JSON object the app keeps with the site (theme, settings, …).</summary>
    public string Metadata { get; set; } = "{}";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public long Version { get; set; }
}

/// <summary>A content model of a website: named fields with types (SPEC §5).</summary>
public class ContentType : ITimestamped, IVersioned
{
    public Guid Id { get; set; }
    public Guid WebsiteId { get; set; }
    public required string Name { get; set; }
    /// <summary>Unique within the website.</summary>
    public required string Slug { get; set; }
    /// <summary>The field schema as JSON: <c>[{"name","type","required",…}]</c>.</summary>
    public string Fields { get; set; } = "[]";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public long Version { get; set; }
}

public enum ContentItemStatus { Draft, Published }

/// <summary>An entry of a content type; its data is validated against the type's fields.</summary>
public class ContentItem : ITimestamped, IVersioned
{
    public Guid Id { get; set; }
    public Guid WebsiteId { get; set; }
    public Guid ContentTypeId { get; set; }
    public string Data { get; set; } = "{}";
    public ContentItemStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public long Version { get; set; }
}

/// <summary>A user's app preferences (one JSON object per user).</summary>
public class UserPreferences : ITimestamped, IVersioned
{
    public Guid UserId { get; set; }
    public string Preferences { get; set; } = "{}";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public long Version { get; set; }
}
