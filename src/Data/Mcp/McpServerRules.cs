using Catalyst.Data.Common;

namespace Catalyst.Data.Mcp;

/// <summary>What an MCP server looks like when it is valid; the fields of an input left null keep their value on update.</summary>
public sealed record McpServerInput(string? Name, string? Description, McpTransport? Transport, string? Endpoint, string? Command, McpServerStatus? Status);

public static class McpServerRules
{
    public const int MaxNameLength = 100;
    public const int MaxDescriptionLength = 2000;
    public const int MaxEndpointLength = 2000;
    public const int MaxCommandLength = 2000;

    /// <summary>Validates the server as it will be saved: stdio needs a command, http and sse an absolute http(s) URL.</summary>
    public static void Validate(McpServer server)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(server.Name))
            errors["name"] = ["Name is required."];
        else if (server.Name.Length > MaxNameLength)
            errors["name"] = [$"Name must be at most {MaxNameLength} characters."];
        else if (!PlainText.IsName(server.Name))
            errors["name"] = [$"Name {PlainText.NameRule}."];
        if (server.Description is { Length: > MaxDescriptionLength })
            errors["description"] = [$"Description must be at most {MaxDescriptionLength} characters."];
        else if (server.Description is not null && !PlainText.IsMultiLine(server.Description))
            errors["description"] = ["Description must be plain text (no control characters other than line breaks and tabs)."];
        switch (server.Transport)
        {
            case McpTransport.Stdio:
                if (string.IsNullOrWhiteSpace(server.Command))
                    errors["command"] = ["A stdio server needs the command that starts it."];
                else if (server.Command.Length > MaxCommandLength || server.Command.Any(c => char.IsControl(c)))
                    errors["command"] = [$"The command must be one line of at most {MaxCommandLength} characters."];
                break;
            default:
                if (string.IsNullOrWhiteSpace(server.Endpoint))
                    errors["endpoint"] = [$"An {server.Transport.ToString().ToLowerInvariant()} server needs its endpoint URL."];
                else if (server.Endpoint.Length > MaxEndpointLength || !Uri.TryCreate(server.Endpoint, UriKind.Absolute, out var uri)
                         || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
                    errors["endpoint"] = ["The endpoint must be an absolute http:// or https:// URL."];
                break;
        }
        if (errors.Count > 0)
            throw new ValidationFailedException(errors);
    }

    /// <summary>Applies the input's non-null fields; the endpoint or command that the transport does not use is cleared.</summary>
    public static void Apply(McpServer server, McpServerInput input)
    {
        if (input.Name is not null)
        {
            server.Name = input.Name.Trim();
            server.NormalizedName = server.Name.ToUpperInvariant();
        }
        if (input.Description is not null)
            server.Description = string.IsNullOrWhiteSpace(input.Description) ? null : input.Description.Trim();
        if (input.Transport is { } transport)
            server.Transport = transport;
        if (input.Endpoint is not null)
            server.Endpoint = string.IsNullOrWhiteSpace(input.Endpoint) ? null : input.Endpoint.Trim();
        if (input.Command is not null)
            server.Command = string.IsNullOrWhiteSpace(input.Command) ? null : input.Command.Trim();
        if (input.Status is { } status)
            server.Status = status;
        if (server.Transport == McpTransport.Stdio)
            server.Endpoint = null;
        else
            server.Command = null;
    }
}
