using System.Security.Claims;
using System.Text.Json;
using Catalyst.Data.Chat;
using Catalyst.Data.Common;
using Catalyst.Data.Projects;
using Catalyst.Data.Changes;
using Catalyst.Data.Sync;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Catalyst.Portal.Api;

public sealed record SyncUserDto(Guid Id, string Email, IReadOnlyList<string> Roles);

public sealed record SyncInitDto(
    SyncUserDto User, JsonElement? Preferences, IReadOnlyList<ProjectDto> Projects, bool ProjectsTruncated,
    IReadOnlyList<WebsiteDto> Websites, bool WebsitesTruncated, IReadOnlyList<ChatSessionDto> ChatSessions, string Cursor,
    IReadOnlyDictionary<string, bool> Features);

/// <summary>One change: <c>data</c> is the entity now (a project, chatSession or chatMessage; for <c>features</c>, your flag map) for an upsert, null for a delete.</summary>
public sealed record SyncChangeDto(string Type, Guid Id, SyncOperation Op, object? Data);

public static class SyncEndpoints
{
    public static IEndpointRouteBuilder MapSync(this IEndpointRouteBuilder api)
    {
        var sync = api.MapGroup("/sync").WithTags("Sync");

        sync.MapGet("/init", InitAsync)
            .WithSummary("Everything a client needs at sign-in: the user, preferences (null when never set), project and website metadata, the 50 most recent chat sessions " +
                         "(no message bodies, no blobs) and a cursor for /api/sync/changes.");

        sync.MapGet("/changes", ChangesAsync)
            .WithSummary("Every create, update and delete of your projects, chat sessions and messages after the cursor `since` " +
                         "(all of them without it), in order; deletes are tombstones (op delete, data null; a session's tombstone " +
                         "also removes its messages). Pass meta.cursor back as `since`; while meta.hasMore, there is more. " +
                         "410 cursor_expired means: sync from /api/sync/init again.")
            .ProducesProblem(400).ProducesProblem(410);

        return api;
    }

    public static async Task<Ok<DataEnvelope<SyncInitDto>>> InitAsync(HttpContext http, SyncService service, CancellationToken ct)
    {
        var actor = http.User.ToActor();
        var init = await service.InitAsync(actor, ct);
        var roles = http.User.FindAll(ClaimTypes.Role).Select(c => c.Value).Distinct().ToList();
        var preferences = init.Preferences is { } stored ? JsonLimits.ParseValue(stored.Preferences) : (JsonElement?)null;
        return ApiResults.Ok(new SyncInitDto(new SyncUserDto(actor.UserId, actor.Email, roles), preferences,
            init.Projects.Select(ProjectDto.From).ToList(), init.ProjectsTruncated,
            init.Websites.Select(WebsiteDto.From).ToList(), init.WebsitesTruncated,
            init.ChatSessions.Select(ChatSessionDto.From).ToList(), init.Cursor, init.Features));
    }

    public static async Task<Ok<CursorEnvelope<SyncChangeDto>>> ChangesAsync(HttpContext http, SyncService service, IOptions<SyncOptions> options, string? since, int? limit, CancellationToken ct)
    {
        var page = await service.ChangesAsync(http.User.ToActor(), since, limit, ct);
        var items = page.Changes.Select(c => new SyncChangeDto(c.Type, c.Id, c.Operation, c.Entity switch
        {
            Project p => ProjectDto.From(p),
            ChatSession s => ChatSessionDto.From(s),
            ChatMessage m => ChatMessageDto.From(m),
            IReadOnlyDictionary<string, bool> flags => flags,
            _ => null,
        })).ToList();
        return ApiResults.Cursor(items, limit ?? options.Value.DefaultChangesLimit, page.HasMore, page.Cursor);
    }
}
