using Catalyst.Data.Common;

namespace Catalyst.Data.Projects;

/// <summary>What a valid project looks like; shared by the API, the pages and imports.</summary>
public static class ProjectRules
{
    public const int MaxNameLength = 200;
    public const int MaxDescriptionLength = 4000;
    public const int MaxTags = 20;
    public const int MaxTagLength = 40;

    public static (string Name, string? Description, List<string> Tags) Validate(ProjectInput input)
    {
        var errors = new Dictionary<string, string[]>();
        var name = input.Name?.Trim();
        if (string.IsNullOrEmpty(name))
            errors["name"] = ["Name is required."];
        else if (name.Length > MaxNameLength)
            errors["name"] = [$"Name must be at most {MaxNameLength} characters."];
        else if (!PlainText.IsName(name))
            errors["name"] = [$"Name {PlainText.NameRule}."];

        var description = string.IsNullOrWhiteSpace(input.Description) ? null : input.Description.Trim();
        if (description is { Length: > MaxDescriptionLength })
            errors["description"] = [$"Description must be at most {MaxDescriptionLength} characters."];
        else if (description is not null && !PlainText.IsMultiLine(description))
            errors["description"] = ["Description must be plain text (no control characters other than line breaks and tabs)."];

        var tags = new List<string>();
        foreach (var raw in input.Tags ?? [])
        {
            var tag = raw?.Trim().ToLowerInvariant();
            if (string.IsNullOrEmpty(tag))
                continue;
            if (tag.Length > MaxTagLength || !PlainText.IsName(tag))
            {
                errors["tags"] = [$"Each tag must be at most {MaxTagLength} characters without control or bidirectional formatting characters."];
                break;
            }
            if (!tags.Contains(tag))
                tags.Add(tag);
        }
        if (tags.Count > MaxTags)
            errors["tags"] = [$"At most {MaxTags} tags."];

        if (errors.Count > 0)
            throw new ValidationFailedException(errors);
        return (name!, description, tags);
    }

    /// <summary>Parses the comma-separated tag box of the portal forms.</summary>
    public static List<string> ParseTagList(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
}

public sealed record ProjectInput(string? Name, string? Description, IReadOnlyList<string?>? Tags, ProjectStatus? Status);

public sealed record ProjectQuery(string? Search = null, ProjectStatus? Status = null);
