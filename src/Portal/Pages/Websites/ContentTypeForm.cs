using System.ComponentModel.DataAnnotations;
using Catalyst.Data.Common;
using Catalyst.Data.Websites;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Catalyst.Portal.Pages.Websites;

/// <summary>One row of the field-schema editor.</summary>
public sealed class FieldRow
{
    public string? Name { get; set; }
    public string? Label { get; set; }
    public string Type { get; set; } = FieldTypes.Text;
    /// <summary>A list's item type; ignored for other types.</summary>
    public string? Of { get; set; }
    public int? MaxLength { get; set; }
    public bool Required { get; set; }
    /// <summary>Ticked: the row is dropped on save.</summary>
    public bool Remove { get; set; }

    public bool IsBlank => string.IsNullOrWhiteSpace(Name) && string.IsNullOrWhiteSpace(Label);

    public ContentField ToField() => new(Name?.Trim() ?? "", Type, Required,
        Type == FieldTypes.List && !string.IsNullOrEmpty(Of) ? Of : null, MaxLength, Label);

    public static FieldRow From(ContentField f) => new()
    {
        Name = f.Name,
        Label = f.Label,
        Type = f.Type,
        Of = f.Of,
        MaxLength = f.MaxLength,
        Required = f.Required,
    };
}

/// <summary>
/// The content-type form: name, slug and the field rows. Rows are posted with explicit indexes
/// (<c>Input.Fields.Index</c>) so a row fetched by htmx can take any key; after a post the rows are
/// renumbered 0..n, which is also how the service numbers its <c>fields[i]</c> errors.
/// </summary>
public sealed class ContentTypeForm
{
    [Required(ErrorMessage = "Name is required."), StringLength(WebsiteRules.MaxNameLength, ErrorMessage = "Name must be at most {1} characters.")]
    public string Name { get; set; } = "";

    [StringLength(WebsiteRules.MaxSlugLength, ErrorMessage = "Slug must be at most {1} characters.")]
    public string? Slug { get; set; }

    public List<FieldRow> Fields { get; set; } = [];

    /// <summary>Drops removed and blank rows; what remains is numbered as the service will number it.</summary>
    public void Compact() => Fields = Posted().Where(f => !f.IsBlank).ToList();

    /// <summary>The posted rows not ticked for removal (an index without inputs binds as a null row).</summary>
    public List<FieldRow> Posted() => (Fields ?? []).OfType<FieldRow>().Where(f => !f.Remove).ToList();

    public ContentTypeInput ToInput() => new(Name, Slug, Fields.Select(f => (ContentField?)f.ToField()).ToList());

    public static ContentTypeForm From(ContentType t) => new()
    {
        Name = t.Name,
        Slug = t.Slug,
        Fields = ContentSchema.Parse(t.Fields).Select(FieldRow.From).ToList(),
    };

    /// <summary>Service errors next to their inputs: <c>fields[2].name</c> → <c>Input.Fields[2].Name</c>.</summary>
    public static void AddErrors(ModelStateDictionary modelState, ValidationFailedException exception)
    {
        foreach (var (field, messages) in exception.Errors)
        {
            var key = "Input." + string.Join('.', field.Split('.').Select(part => part.Length == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..]));
            foreach (var message in messages)
                modelState.AddModelError(key, message);
        }
    }
}
