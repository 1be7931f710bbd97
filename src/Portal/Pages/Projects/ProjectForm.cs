using System.ComponentModel.DataAnnotations;
using Catalyst.Data.Projects;

namespace Catalyst.Portal.Pages.Projects;

/// <summary>The fields of the create and edit forms. The service has the final word on validity.</summary>
public sealed class ProjectForm
{
    [Required(ErrorMessage = "Name is required."), StringLength(ProjectRules.MaxNameLength, ErrorMessage = "Name must be at most {1} characters.")]
    public string Name { get; set; } = "";

    [StringLength(ProjectRules.MaxDescriptionLength, ErrorMessage = "Description must be at most {1} characters.")]
    public string? Description { get; set; }

    [Display(Name = "Tags"), StringLength(1000)]
    public string? Tags { get; set; }

    public ProjectStatus Status { get; set; } = ProjectStatus.Active;

    public ProjectInput ToInput() => new(Name, Description, ProjectRules.ParseTagList(Tags), Status);

    public static ProjectForm From(Project p) => new()
    {
        Name = p.Name,
        Description = p.Description,
        Tags = string.Join(", ", p.Tags),
        Status = p.Status,
    };
}
