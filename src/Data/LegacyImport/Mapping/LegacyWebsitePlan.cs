using Catalyst.Data.LegacyImport.Reading;
using Catalyst.Data.Websites;

namespace Catalyst.Data.LegacyImport.Mapping;

/// <summary>
/// What one website's rows become, sorted before anything is written, so a dry run and an apply
/// (and a resumed run counting a website that landed earlier) count them the same way.
/// </summary>
internal sealed class LegacyWebsitePlan
{
    public List<(LegacyRow Row, string Name, string Slug, List<ContentField> Fields)> Types { get; } = [];
    public List<LegacyRow> Items { get; } = [];
    public List<(LegacyRow Row, string? Unused)> Assets { get; } = [];
    public List<LegacyRow> Folders { get; } = [];
    public List<LegacyRow> Embedded { get; } = [];
    public List<LegacyRow> AiContext { get; } = [];
    public List<(LegacyRow Row, string Reason)> Skipped { get; } = [];
    /// <summary>Rows that cannot be stored where they go (too deep for it): failed, with the reason.</summary>
    public List<(LegacyRow Row, string Reason)> Refused { get; } = [];

    /// <summary>The path of an asset's folder from the folder rows (<c>/a/b</c>), null when it has none.</summary>
    public string? FolderPath(string? folderId)
    {
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (folderId is not null && seen.Add(folderId))
        {
            var folder = Folders.FirstOrDefault(f => f.Key == folderId);
            if (folder is null)
                break;
            var o = LegacyValues.AsObject(folder.Value);
            names.Add(LegacyValues.Text(o, "name") ?? folderId);
            folderId = LegacyValues.Text(o, "parentId");
        }
        names.Reverse();
        return names.Count == 0 ? null : "/" + string.Join('/', names);
    }
}
