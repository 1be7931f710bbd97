using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Catalyst.Data.Websites;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Catalyst.Portal.Pages.Websites;

/// <summary>The fields of the website create and edit forms. The service has the final word on validity.</summary>
public sealed class WebsiteForm
{
    [Required(ErrorMessage = "Name is required."), StringLength(WebsiteRules.MaxNameLength, ErrorMessage = "Name must be at most {1} characters.")]
    public string Name { get; set; } = "";

    /// <summary>Empty: the service derives one from the name.</summary>
    [StringLength(WebsiteRules.MaxSlugLength, ErrorMessage = "Slug must be at most {1} characters.")]
    public string? Slug { get; set; }

    [StringLength(WebsiteRules.MaxDescriptionLength, ErrorMessage = "Description must be at most {1} characters.")]
    public string? Description { get; set; }

    [StringLength(64, ErrorMessage = "Category must be at most {1} characters.")]
    public string? Category { get; set; }

    /// <summary>A JSON object as typed; parsed here, checked (object, size) by the service.</summary>
    public string? Metadata { get; set; }

    /// <summary>The service's input, or null with the reason next to the Metadata field when it is not JSON.</summary>
    public WebsiteInput? ToInput(ModelStateDictionary modelState)
    {
        JsonElement? metadata = null;
        if (!string.IsNullOrWhiteSpace(Metadata))
        {
            try
            {
                using var document = JsonDocument.Parse(Metadata, new JsonDocumentOptions { MaxDepth = WebsiteRules.MaxJsonDepth });
                metadata = document.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                modelState.AddModelError("Input.Metadata", "Metadata is not valid JSON: " + ex.Message.Split(" Path:", 2)[0].Split(" LineNumber", 2)[0]);
                return null;
            }
        }
        return new WebsiteInput(Name, Slug, Description, Category, metadata);
    }

    public static WebsiteForm From(Website w) => new()
    {
        Name = w.Name,
        Slug = w.Slug,
        Description = w.Description,
        Category = w.Category,
        Metadata = w.Metadata == "{}" ? "" : JsonPretty.Indent(w.Metadata),
    };
}
