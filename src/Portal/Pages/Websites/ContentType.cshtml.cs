using Catalyst.Data.Common;
using Catalyst.Data.Websites;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Websites;

/// <summary>A row of the schema editor with the key its inputs are posted under.</summary>
public sealed record FieldRowView(string Key, FieldRow Row);

/// <summary>
/// Creates (no <c>typeId</c>) or edits a content type with its field-schema editor. "Add a field"
/// posts the form back with one more empty row (nothing is saved), or with htmx fetches just the
/// new row.
/// </summary>
public class ContentTypeModel(WebsiteService websites, ContentModelService content) : PageModel
{
    [BindProperty]
    public ContentTypeForm Input { get; set; } = new();

    [BindProperty]
    public long Version { get; set; }

    public Website Website { get; private set; } = null!;
    public ContentType? Type { get; private set; }
    public bool Conflict { get; private set; }

    public async Task OnGetAsync(Guid id, Guid? typeId, CancellationToken ct)
    {
        await LoadAsync(id, typeId, ct);
        if (Type is not null)
        {
            Input = ContentTypeForm.From(Type);
            Version = Type.Version;
        }
        else
        {
            Input.Fields.Add(new FieldRow());
        }
    }

    /// <summary>htmx: one empty row, under a fresh key so it never collides with the rows on the page.</summary>
    public async Task<IActionResult> OnGetFieldAsync(Guid id, CancellationToken ct)
    {
        await websites.GetAsync(User.ToActor(), id, ct);
        return Partial("_FieldRow", new FieldRowView("n" + Guid.NewGuid().ToString("N")[..8], new FieldRow()));
    }

    /// <summary>Without JavaScript: the form again, as typed, with one more empty row.</summary>
    public async Task<IActionResult> OnPostAddFieldAsync(Guid id, Guid? typeId, CancellationToken ct)
    {
        await LoadAsync(id, typeId, ct);
        ModelState.Clear();
        Input.Fields = Input.Posted();
        Input.Fields.Add(new FieldRow());
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, Guid? typeId, CancellationToken ct)
    {
        await LoadAsync(id, typeId, ct);
        Input.Compact();
        // Row errors are keyed by the rows' new numbers, not the keys they were posted under.
        foreach (var key in ModelState.Keys.Where(k => k.StartsWith("Input.Fields", StringComparison.Ordinal)).ToList())
            ModelState.Remove(key);
        if (!ModelState.IsValid)
            return Page();
        try
        {
            var actor = User.ToActor();
            var saved = Type is null
                ? await content.CreateTypeAsync(actor, id, Input.ToInput(), ct)
                : await content.UpdateTypeAsync(actor, id, Type.Id, Version, Input.ToInput(), ct);
            TempData["Flash"] = $"Content type “{saved.Name}” was {(Type is null ? "created" : "saved")}.";
            return Redirect($"/Websites/Details/{id}?tab=types");
        }
        catch (ValidationFailedException ex)
        {
            ContentTypeForm.AddErrors(ModelState, ex);
        }
        catch (ConflictException ex) when (ex.Code == "slug_taken")
        {
            ModelState.AddModelError("Input.Slug", ex.Message);
        }
        catch (VersionConflictException)
        {
            Conflict = true;
            Type = await content.GetTypeAsync(User.ToActor(), id, Type!.Id, ct);
            Response.StatusCode = StatusCodes.Status409Conflict;
        }
        return Page();
    }

    private async Task LoadAsync(Guid id, Guid? typeId, CancellationToken ct)
    {
        ViewData["Section"] = "Websites";
        Website = await websites.GetAsync(User.ToActor(), id, ct);
        if (typeId is { } existing)
            Type = await content.GetTypeAsync(User.ToActor(), id, existing, ct);
    }

    public static IReadOnlyList<(string Value, string Label)> TypeChoices { get; } =
    [
        (FieldTypes.Text, "Text"), (FieldTypes.RichText, "Rich text"), (FieldTypes.Number, "Number"), (FieldTypes.Boolean, "Yes / no"),
        (FieldTypes.Date, "Date"), (FieldTypes.Reference, "Reference to an item"), (FieldTypes.List, "List"),
    ];
}
