using Catalyst.Data.Common;
using Catalyst.Data.Websites;
using Catalyst.Portal.Infrastructure;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Websites;

/// <summary>One row of a side-by-side diff: a line on each side, or a run of unchanged lines folded away.</summary>
public sealed record DiffRow(DiffPiece? Old, DiffPiece? New, int Folded = 0)
{
    public bool Changed => Old?.Type is not ChangeType.Unchanged || New?.Type is not ChangeType.Unchanged;
}

/// <summary>
/// Two versions of one section side by side: both pretty-printed, diffed line by line (DiffPlex),
/// unchanged stretches folded to a few lines of context. Sections above the display limit are
/// refused with a message rather than loaded.
/// </summary>
public class DiffModel(WebsiteService websites, WebsiteDataService data) : PageModel
{
    private const int Context = 3;

    [BindProperty(SupportsGet = true, Name = "from")]
    public int? From { get; set; }

    [BindProperty(SupportsGet = true, Name = "to")]
    public int? To { get; set; }

    [BindProperty(SupportsGet = true, Name = "section")]
    public string? Section { get; set; }

    public Website Website { get; private set; } = null!;
    public IReadOnlyList<WebsiteDataVersion> Choices { get; private set; } = [];
    public WebsiteDataVersion? Old { get; private set; }
    public WebsiteDataVersion? New { get; private set; }
    public string SelectedSection => Section is { } s && WebsiteSections.IsKnown(s) ? s : WebsiteSections.Content;
    public string? Refusal { get; private set; }
    public IReadOnlyList<DiffRow> Rows { get; private set; } = [];
    public int Added { get; private set; }
    public int Removed { get; private set; }

    public async Task OnGetAsync(Guid id, CancellationToken ct)
    {
        ViewData["Section"] = "Websites";
        var actor = User.ToActor();
        Website = await websites.GetAsync(actor, id, ct);
        Choices = (await data.ListVersionsAsync(actor, id, null, new PageRequest(1, PageRequest.MaxPageSize), ct)).Page.Items;
        if (From is not { } from || To is not { } to)
        {
            Refusal = From is null && To is null ? null : "Choose two versions to compare.";
            return;
        }
        Old = await data.GetVersionAsync(actor, id, from, ct);
        New = await data.GetVersionAsync(actor, id, to, ct);
        var section = SelectedSection;
        if (Old.LengthOf(section) > JsonPretty.DisplayLimitBytes || New.LengthOf(section) > JsonPretty.DisplayLimitBytes)
        {
            Refusal = $"The {section} section is larger than {Assets.IndexModel.Size(JsonPretty.DisplayLimitBytes)} in v{from} or v{to} "
                + $"({DetailsModel.Size(Old.LengthOf(section))} and {DetailsModel.Size(New.LengthOf(section))}), too large to compare here. "
                + "Download both versions and compare them with a local tool.";
            return;
        }
        var diff = SideBySideDiffBuilder.Diff(await PrettyAsync(Old, section, ct), await PrettyAsync(New, section, ct), ignoreWhiteSpace: false, ignoreCase: false);
        Added = diff.NewText.Lines.Count(l => l.Type is ChangeType.Inserted or ChangeType.Modified);
        Removed = diff.OldText.Lines.Count(l => l.Type is ChangeType.Deleted or ChangeType.Modified);
        Rows = Fold(diff);
    }

    public static string LineClass(ChangeType? type) => type switch
    {
        ChangeType.Inserted => "ins",
        ChangeType.Deleted => "del",
        ChangeType.Modified => "mod",
        ChangeType.Unchanged => "",
        _ => "gap",
    };

    /// <summary>A line's text (encoded), with the changed words of a modified line marked; no whitespace added (the cell is preformatted).</summary>
    public static IHtmlContent LineContent(DiffPiece? line)
    {
        var html = new HtmlContentBuilder();
        if (line is null || line.Type == ChangeType.Imaginary)
            return html;
        if (line.Type != ChangeType.Modified || line.SubPieces.Count == 0)
            return html.Append(line.Text);
        foreach (var piece in line.SubPieces.Where(p => p.Type != ChangeType.Imaginary))
        {
            if (piece.Type == ChangeType.Unchanged)
                html.Append(piece.Text);
            else
                html.AppendHtml($"<span class=\"{LineClass(piece.Type)}\">").Append(piece.Text).AppendHtml("</span>");
        }
        return html;
    }

    private async Task<string> PrettyAsync(WebsiteDataVersion version, string section, CancellationToken ct)
    {
        if (version.ShaOf(section) is null)
            return "null";
        await using var stream = await data.OpenSectionAsync(version, section, ct);
        return (await JsonPretty.FormatAsync(stream, version.LengthOf(section), JsonPretty.DisplayLimitBytes, ct)).Text;
    }

    /// <summary>Keeps changed lines and <see cref="Context"/> lines around them; each longer unchanged run becomes one folded row.</summary>
    private static List<DiffRow> Fold(SideBySideDiffModel diff)
    {
        var count = Math.Max(diff.OldText.Lines.Count, diff.NewText.Lines.Count);
        var all = Enumerable.Range(0, count)
            .Select(i => new DiffRow(diff.OldText.Lines.ElementAtOrDefault(i), diff.NewText.Lines.ElementAtOrDefault(i)))
            .ToList();
        var keep = new bool[count];
        for (var i = 0; i < count; i++)
        {
            if (!all[i].Changed)
                continue;
            for (var j = Math.Max(0, i - Context); j <= Math.Min(count - 1, i + Context); j++)
                keep[j] = true;
        }
        var rows = new List<DiffRow>();
        for (var i = 0; i < count;)
        {
            if (keep[i])
            {
                rows.Add(all[i++]);
                continue;
            }
            var start = i;
            while (i < count && !keep[i])
                i++;
            rows.Add(new DiffRow(null, null, i - start));
        }
        return rows;
    }
}
