using System.Text.RegularExpressions;
using Catalyst.Data.Common;
using Catalyst.Data.Identity;

namespace Catalyst.Data.Features;

/// <summary>A flag as admins send it (SPEC §14: <c>{name, description, state, percentage, users, roles}</c>).</summary>
public sealed record FeatureFlagInput(string? Name, string? Description, FeatureFlagState? State, int? Percentage, IReadOnlyList<string>? Users, IReadOnlyList<string>? Roles);

public static partial class FeatureFlagRules
{
    public const int MaxNameLength = 100;
    public const int MaxDescriptionLength = 1000;
    public const int MaxUsers = 1000;

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9._-]*$")]
    private static partial Regex NamePattern();

    public static string ValidName(string? name, Dictionary<string, string[]> errors)
    {
        name = name?.Trim();
        if (string.IsNullOrEmpty(name))
            errors["name"] = ["Name is required."];
        else if (name.Length > MaxNameLength || !NamePattern().IsMatch(name))
            errors["name"] = [$"Name must start with a letter and hold at most {MaxNameLength} letters, digits, dots, dashes and underscores (e.g. storage.serverMode)."];
        return name ?? "";
    }

    /// <summary>Validates and applies the input to <paramref name="flag"/> (whose name is already set).</summary>
    public static void Apply(FeatureFlag flag, FeatureFlagInput input)
    {
        var errors = new Dictionary<string, string[]>();
        var description = string.IsNullOrWhiteSpace(input.Description) ? null : input.Description.Trim();
        if (description is { Length: > MaxDescriptionLength })
            errors["description"] = [$"Description must be at most {MaxDescriptionLength} characters."];
        else if (description is not null && !PlainText.IsMultiLine(description))
            errors["description"] = ["Description must be plain text (no control characters other than line breaks and tabs)."];
        if (input.State is not { } state)
        {
            errors["state"] = ["State is required: on, off, percentage or targeted."];
            state = FeatureFlagState.Off;
        }
        var percentage = input.Percentage ?? 0;
        if (state == FeatureFlagState.Percentage && input.Percentage is null)
            errors["percentage"] = ["A percentage flag needs its percentage (0 to 100)."];
        else if (percentage is < 0 or > 100)
            errors["percentage"] = ["Percentage must be between 0 and 100."];

        var users = new List<string>();
        foreach (var raw in input.Users ?? [])
        {
            var email = raw?.Trim().ToLowerInvariant();
            if (string.IsNullOrEmpty(email))
                continue;
            if (email.Length > 256 || !email.Contains('@', StringComparison.Ordinal) || email.Any(char.IsControl) || email.Contains(',', StringComparison.Ordinal))
            {
                errors["users"] = [$"'{Shorten(email)}' is not an e-mail address."];
                break;
            }
            if (!users.Contains(email))
                users.Add(email);
        }
        if (users.Count > MaxUsers)
            errors["users"] = [$"At most {MaxUsers} users can be named."];
        var roles = new List<string>();
        foreach (var raw in input.Roles ?? [])
        {
            var known = Identity.Roles.All.FirstOrDefault(r => string.Equals(r, raw?.Trim(), StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                errors["roles"] = [$"Unknown role '{Shorten(raw ?? "")}'. Roles are: {string.Join(", ", Identity.Roles.All)}."];
                break;
            }
            if (!roles.Contains(known))
                roles.Add(known);
        }
        if (state == FeatureFlagState.Targeted && users.Count == 0 && roles.Count == 0 && !errors.ContainsKey("users") && !errors.ContainsKey("roles"))
            errors["users"] = ["A targeted flag names at least one user or role."];
        if (errors.Count > 0)
            throw new ValidationFailedException(errors);

        flag.Description = description;
        flag.State = state;
        // Percentage, users and roles are kept whatever the state, so switching back restores them.
        flag.Percentage = percentage;
        flag.Users = users;
        flag.Roles = roles;
    }

    private static string Shorten(string text) => text.Length > 60 ? text[..60] + "…" : text;
}
