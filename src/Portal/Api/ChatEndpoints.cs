using System.Text.Json;
using Catalyst.Data.Chat;
using Catalyst.Data.Common;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Catalyst.Portal.Api;

public sealed record ChatSessionRequest(string? Title, Guid? ProjectId);

/// <summary>A JSON merge patch of a session: members left out stay as they are; <c>"projectId": null</c> detaches the project.</summary>
public sealed record ChatSessionPatchRequest(string? Title, JsonElement ProjectId)
{
    public ChatSessionPatch ToPatch() => ProjectId.ValueKind switch
    {
        JsonValueKind.Undefined => new ChatSessionPatch(Title, null, false),
        JsonValueKind.Null => new ChatSessionPatch(Title, null, true),
        JsonValueKind.String when ProjectId.TryGetGuid(out var id) => new ChatSessionPatch(Title, id, false),
        _ => throw ValidationFailedException.For("projectId", "projectId must be a project id or null."),
    };
}

public sealed record ChatBatchRequest(List<ChatMessageInput?>? Messages);

public sealed record ChatSessionDto(
    Guid Id, Guid UserId, Guid? ProjectId, string Title, int MessageCount, DateTime? LastMessageAt,
    DateTime CreatedAt, DateTime UpdatedAt, long Version)
{
    public static ChatSessionDto From(ChatSession s) =>
        new(s.Id, s.UserId, s.ProjectId, s.Title, s.MessageCount, s.LastMessageAt, s.CreatedAt, s.UpdatedAt, s.Version);
}

public sealed record ChatMessageDto(Guid Id, Guid SessionId, ChatRole Role, string Content, string ClientId, DateTime CreatedAt)
{
    public static ChatMessageDto From(ChatMessage m) => new(m.Id, m.SessionId, m.Role, m.Content, m.ClientId, m.CreatedAt);
}

public static class ChatEndpoints
{
    public static IEndpointRouteBuilder MapChat(this IEndpointRouteBuilder api)
    {
        var chat = api.MapGroup("/chat").WithTags("Chat");

        chat.MapGet("/sessions", ListSessionsAsync)
            .WithSummary("List your chat sessions (admins: all), most recently active first; q matches titles.")
            .ProducesProblem(400);

        chat.MapPost("/sessions", CreateSessionAsync)
            .WithSummary("Create a chat session, optionally linked to one of your projects.")
            .ProducesProblem(400).ProducesProblem(413);

        chat.MapGet("/sessions/{id:guid}", GetSessionAsync)
            .WithSummary("Get a chat session; the ETag is its version.")
            .ProducesProblem(404);

        chat.MapPatch("/sessions/{id:guid}", UpdateSessionAsync)
            .WithSummary("Rename a session or change its project (JSON merge patch: {title?, projectId?}; projectId null detaches). Requires If-Match.")
            .Accepts<ChatSessionPatchRequest>("application/merge-patch+json", "application/json")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(412).ProducesProblem(428);

        chat.MapDelete("/sessions/{id:guid}", DeleteSessionAsync)
            .WithSummary("Delete a session and its messages. An If-Match, when sent, must be current.")
            .ProducesProblem(404).ProducesProblem(412);

        chat.MapGet("/sessions/{id:guid}/messages", ListMessagesAsync)
            .WithSummary("A page of a session's messages, oldest first: the newest `limit` (default 50, max 200) before `before` " +
                         "(an ISO 8601 time, or meta.cursor of the previous page to go further back).")
            .ProducesProblem(400).ProducesProblem(404);

        chat.MapPost("/messages/batch", AppendBatchAsync)
            .WithSummary("Store up to 500 messages idempotently by clientId (unique per session). Each row is checked on its own: " +
                         "bad rows come back in errors [{index, clientId, code, detail}] and are skipped; all good rows are stored in one " +
                         "transaction. Rows already stored (a replay) answer their existing id and count as existing. " +
                         "Answers {ids: {clientId: id}, created, existing, errors}.")
            .ProducesProblem(400).ProducesProblem(413);

        return api;
    }

    public static async Task<Ok<PageEnvelope<ChatSessionDto>>> ListSessionsAsync(HttpContext http, ChatService service, string? q, Guid? projectId,
        int? page, int? pageSize, CancellationToken ct) =>
        ApiResults.Page(await service.ListSessionsAsync(http.User.ToActor(), new ChatSessionQuery(q, projectId), new PageRequest(page, pageSize), ct), ChatSessionDto.From);

    public static async Task<Created<DataEnvelope<ChatSessionDto>>> CreateSessionAsync(ChatSessionRequest request, HttpContext http, ChatService service, CancellationToken ct)
    {
        var session = await service.CreateSessionAsync(http.User.ToActor(), new ChatSessionInput(request.Title, request.ProjectId), ct);
        return ApiResults.Created(http, $"/api/chat/sessions/{session.Id}", ChatSessionDto.From(session), session.Version);
    }

    public static async Task<Results<Ok<DataEnvelope<ChatSessionDto>>, StatusCodeHttpResult>> GetSessionAsync(Guid id, HttpContext http, ChatService service, CancellationToken ct)
    {
        var session = await service.GetSessionAsync(http.User.ToActor(), id, ct);
        if (http.Request.Headers.IfNoneMatch.ToString() == ETags.Format(session.Version))
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        return ApiResults.Ok(http, ChatSessionDto.From(session), session.Version);
    }

    public static async Task<Ok<DataEnvelope<ChatSessionDto>>> UpdateSessionAsync(Guid id, ChatSessionPatchRequest request, HttpContext http, ChatService service, CancellationToken ct)
    {
        var expected = ETags.RequireIfMatch(http.Request);
        var session = await service.UpdateSessionAsync(http.User.ToActor(), id, expected, request.ToPatch(), ct);
        return ApiResults.Ok(http, ChatSessionDto.From(session), session.Version);
    }

    public static async Task<NoContent> DeleteSessionAsync(Guid id, HttpContext http, ChatService service, CancellationToken ct)
    {
        await service.DeleteSessionAsync(http.User.ToActor(), id, ETags.ParseIfMatch(http.Request), ct);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<CursorEnvelope<ChatMessageDto>>> ListMessagesAsync(Guid id, HttpContext http, ChatService service, IOptions<ChatOptions> options,
        string? before, int? limit, CancellationToken ct)
    {
        var page = await service.ListMessagesAsync(http.User.ToActor(), id, before, limit, ct);
        return ApiResults.Cursor(page.Items.Select(ChatMessageDto.From).ToList(), limit ?? options.Value.DefaultPageLimit, page.Before is not null, page.Before);
    }

    public static async Task<Ok<DataEnvelope<ChatBatchResult>>> AppendBatchAsync(ChatBatchRequest request, HttpContext http, ChatService service, CancellationToken ct) =>
        ApiResults.Ok(await service.AppendBatchAsync(http.User.ToActor(), request.Messages, ct));
}
