using System.Text.Json;
using System.Text.RegularExpressions;
using Catalyst.Data.Common;

namespace Catalyst.Data.Deployments;

/// <summary>A deployment config as a client sends it; a null field keeps its value on update.</summary>
public sealed record DeploymentConfigInput(string? Name, string? Provider, string? Endpoint, JsonElement? Settings);

public static partial class DeploymentRules
{
    public const int MaxNameLength = 100;
    public const int MaxProviderLength = 32;
    public const int MaxSettingsBytes = 16 * 1024;
    public static readonly IReadOnlyList<string> KnownProviders = ["webhook", "netlify", "vercel", "cloudflare-pages", "github-pages", "custom"];

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex ProviderPattern();

    public static (string Name, string Provider, string Settings) Validate(DeploymentConfigInput input, Dictionary<string, string[]> errors)
    {
        var name = input.Name?.Trim();
        if (string.IsNullOrEmpty(name))
            errors["name"] = ["Name is required."];
        else if (name.Length > MaxNameLength)
            errors["name"] = [$"Name must be at most {MaxNameLength} characters."];
        else if (!PlainText.IsName(name))
            errors["name"] = [$"Name {PlainText.NameRule}."];
        var provider = input.Provider?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(provider))
            errors["provider"] = ["Provider is required (e.g. webhook, netlify, vercel)."];
        else if (provider.Length > MaxProviderLength || !ProviderPattern().IsMatch(provider))
            errors["provider"] = [$"Provider must be at most {MaxProviderLength} lower-case letters, digits and dashes."];
        var settings = "{}";
        if (input.Settings is { } element && element.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
        {
            if (element.ValueKind != JsonValueKind.Object)
                errors["settings"] = ["Settings must be a JSON object."];
            else
            {
                settings = element.GetRawText();
                if (System.Text.Encoding.UTF8.GetByteCount(settings) > MaxSettingsBytes)
                    errors["settings"] = [$"Settings must be at most {MaxSettingsBytes} bytes."];
            }
        }
        return (name ?? "", provider ?? "", settings);
    }
}
