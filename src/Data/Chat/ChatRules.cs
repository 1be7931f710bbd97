using System.Globalization;
using Catalyst.Data.Common;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Chat;

/// <summary>Section <c>Catalyst:Chat</c>: batch and paging limits of the chat API.</summary>
public sealed class ChatOptions
{
    public const string Section = "Catalyst:Chat";

    /// <summary>Messages one <c>POST /api/chat/messages/batch</c> may carry; more answer 400.</summary>
    public int MaxBatchMessages { get; set; } = 500;
    /// <summary>Longest message content, in UTF-16 characters (the request body limit applies too).</summary>
    public int MaxMessageLength { get; set; } = 32_000;
    public int DefaultPageLimit { get; set; } = 50;
    public int MaxPageLimit { get; set; } = 200;
    /// <summary>How far in the future a client's createdAt may be (clock skew).</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);
}

public sealed class ChatOptionsValidator : IValidateOptions<ChatOptions>
{
    public ValidateOptionsResult Validate(string? name, ChatOptions options)
    {
        var failures = new List<string>();
        if (options.MaxBatchMessages is < 1 or > 10_000)
            failures.Add("Catalyst:Chat:MaxBatchMessages must be between 1 and 10000.");
        if (options.MaxMessageLength is < 1 or > 10_000_000)
            failures.Add("Catalyst:Chat:MaxMessageLength must be between 1 and 10000000.");
        if (options.MaxPageLimit is < 1 or > 10_000)
            failures.Add("Catalyst:Chat:MaxPageLimit must be between 1 and 10000.");
        if (options.DefaultPageLimit < 1 || options.DefaultPageLimit > options.MaxPageLimit)
            failures.Add("Catalyst:Chat:DefaultPageLimit must be between 1 and Catalyst:Chat:MaxPageLimit.");
        if (options.MaxClockSkew < TimeSpan.Zero)
            failures.Add("Catalyst:Chat:MaxClockSkew must not be negative.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

public sealed record ChatSessionInput(string? Title, Guid? ProjectId);

/// <summary>A PATCH: null members are left alone; <see cref="DetachProject"/> clears the project.</summary>
public sealed record ChatSessionPatch(string? Title, Guid? ProjectId, bool DetachProject);

public sealed record ChatSessionQuery(string? Search = null, Guid? ProjectId = null);

/// <summary>One message of a batch as the client sent it; every member is checked here, row by row.</summary>
public sealed record ChatMessageInput(string? ClientId, string? SessionId, string? Role, string? Content, string? CreatedAt);

public sealed record ChatBatchError(int Index, string? ClientId, string Code, string Detail);

public sealed record ChatBatchResult(IReadOnlyDictionary<string, Guid> Ids, int Created, int Existing, IReadOnlyList<ChatBatchError> Errors);

public sealed record ChatMessagePage(IReadOnlyList<ChatMessage> Items, string? Before);

/// <summary>What valid chat data looks like; shared by the API, the pages and imports.</summary>
public static class ChatRules
{
    public const int MaxTitleLength = 200;
    public const int MaxClientIdLength = 100;
    private static readonly DateTime Earliest = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static string ValidateTitle(string? title)
    {
        var trimmed = title?.Trim();
        if (string.IsNullOrEmpty(trimmed))
            throw ValidationFailedException.For("title", "Title is required.");
        if (trimmed.Length > MaxTitleLength)
            throw ValidationFailedException.For("title", $"Title must be at most {MaxTitleLength} characters.");
        if (!PlainText.IsSingleLine(trimmed))
            throw ValidationFailedException.For("title", "Title must be plain text (no control characters, bidirectional formatting characters or broken Unicode).");
        return trimmed;
    }

    /// <summary>False for strings with unpaired UTF-16 surrogates, which cannot be stored or sent as UTF-8 faithfully.</summary>
    public static bool IsWellFormed(string text) => WellFormedJson.IsWellFormed(text);

    internal sealed record ValidRow(int Index, string ClientId, Guid SessionId, ChatRole Role, string Content, DateTime? CreatedAt);

    /// <summary>Checks one batch row; the error names a stable code, or the row comes back parsed.</summary>
    internal static (ValidRow? Row, ChatBatchError? Error) ValidateRow(int index, ChatMessageInput? input, ChatOptions options, DateTime now)
    {
        ChatBatchError Fail(string code, string detail) => new(index, input?.ClientId is { Length: <= MaxClientIdLength } id && IsWellFormed(id) ? id : null, code, detail);

        if (input is null)
            return (null, Fail("invalid_message", "The message is null."));
        var clientId = input.ClientId?.Trim();
        if (string.IsNullOrEmpty(clientId))
            return (null, Fail("client_id_required", "clientId is required."));
        if (clientId.Length > MaxClientIdLength || clientId.Any(char.IsControl) || !IsWellFormed(clientId))
            return (null, new ChatBatchError(index, null, "invalid_client_id", $"clientId must be at most {MaxClientIdLength} characters of plain text."));
        if (!Guid.TryParse(input.SessionId, out var sessionId))
            return (null, Fail("invalid_session_id", "sessionId must be the id of one of your chat sessions."));
        if (!Enum.TryParse<ChatRole>(input.Role, ignoreCase: true, out var role) || !Enum.IsDefined(role) || char.IsAsciiDigit(input.Role![0]))
            return (null, Fail("invalid_role", "role must be user, assistant, system or tool."));
        if (string.IsNullOrEmpty(input.Content))
            return (null, Fail("content_required", "content is required."));
        if (input.Content.Length > options.MaxMessageLength)
            return (null, Fail("content_too_long", $"content must be at most {options.MaxMessageLength} characters."));
        if (!IsWellFormed(input.Content) || input.Content.Contains('\0', StringComparison.Ordinal))
            return (null, Fail("invalid_text", "content contains unpaired surrogates or NUL characters."));
        DateTime? createdAt = null;
        if (!string.IsNullOrWhiteSpace(input.CreatedAt))
        {
            if (!DateTimeOffset.TryParse(input.CreatedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                return (null, Fail("invalid_created_at", "createdAt must be an ISO 8601 date and time."));
            var utc = parsed.UtcDateTime;
            if (utc < Earliest || utc > now + options.MaxClockSkew)
                return (null, Fail("invalid_created_at", "createdAt must be after 2000 and not in the future."));
            // Microsecond precision, like every timestamp Catalyst stores (it round-trips through both databases).
            createdAt = new DateTime(utc.Ticks - utc.Ticks % 10, DateTimeKind.Utc);
        }
        return (new ValidRow(index, clientId, sessionId, role, input.Content, createdAt), null);
    }
}
