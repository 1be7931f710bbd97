namespace Catalyst.Data.Websites;

/// <summary>The three large JSON sections of a website's data (SPEC §7).</summary>
public static class WebsiteSections
{
    public const string Content = "content";
    public const string Assets = "assets";
    public const string AiContext = "aiContext";
    public static readonly IReadOnlyList<string> All = [Content, Assets, AiContext];

    public static bool IsKnown(string name) => All.Contains(name, StringComparer.Ordinal);
}

public static class WebsiteDataSources
{
    public const string Api = "api";
    public const string Upload = "upload";
    public const string Import = "import";
    public const string Migration = "migration";
    public const string Restore = "restore";
}

/// <summary>
/// Per website: which version is current, and the counter that numbers new ones. Conflict
/// backups take a number too but never become current.
/// </summary>
public class WebsiteDataHead
{
    public Guid WebsiteId { get; set; }
    public int CurrentVersion { get; set; }
    /// <summary>The last version number handed out; also the concurrency token serialising writers.</summary>
    public int LastVersion { get; set; }
}

/// <summary>
/// One version of a website's data: each section is a blob in the content-addressable store (or
/// null), so versions that share a section share its bytes, and a small edit stores only the
/// changed chunks.
/// </summary>
public class WebsiteDataVersion
{
    public Guid WebsiteId { get; set; }
    public int Version { get; set; }
    public string? ContentSha256 { get; set; }
    public long? ContentLength { get; set; }
    public string? AssetsSha256 { get; set; }
    public long? AssetsLength { get; set; }
    public string? AiContextSha256 { get; set; }
    public long? AiContextLength { get; set; }
    public Guid? CreatedById { get; set; }
    public string? CreatedByEmail { get; set; }
    public required string Source { get; set; }
    public bool IsConflictBackup { get; set; }
    /// <summary>A pinned version is never pruned (see <c>Catalyst:Websites:MaxVersions</c>).</summary>
    public bool IsPinned { get; set; }
    public int? BasedOnVersion { get; set; }
    public DateTime CreatedAt { get; set; }

    public string? ShaOf(string section) => section switch
    {
        WebsiteSections.Content => ContentSha256,
        WebsiteSections.Assets => AssetsSha256,
        WebsiteSections.AiContext => AiContextSha256,
        _ => throw new ArgumentOutOfRangeException(nameof(section)),
    };

    public long? LengthOf(string section) => section switch
    {
        WebsiteSections.Content => ContentLength,
        WebsiteSections.Assets => AssetsLength,
        WebsiteSections.AiContext => AiContextLength,
        _ => throw new ArgumentOutOfRangeException(nameof(section)),
    };

    public void Set(string section, string? sha256, long? length)
    {
        switch (section)
        {
            case WebsiteSections.Content: ContentSha256 = sha256; ContentLength = length; break;
            case WebsiteSections.Assets: AssetsSha256 = sha256; AssetsLength = length; break;
            case WebsiteSections.AiContext: AiContextSha256 = sha256; AiContextLength = length; break;
            default: throw new ArgumentOutOfRangeException(nameof(section));
        }
    }

    /// <summary>The reference owner id under which this version holds its section blobs.</summary>
    public string ReferenceOwner(string section) => $"{WebsiteId:N}/{Version}/{section}";
}
