using System.Text.Json;
using Catalyst.Data.Audit;
using Catalyst.Data.Common;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Catalyst.Portal.Api;

public sealed record AuditEntryDto(Guid Id, DateTime At, Guid? ActorId, string? ActorEmail, string Action, string EntityType, string? EntityId, JsonElement? Details)
{
    public static AuditEntryDto From(AuditEntry e) => new(e.Id, e.At, e.ActorId, e.ActorEmail, e.Action, e.EntityType, e.EntityId,
        e.Details is null ? null : JsonDocument.Parse(e.Details).RootElement.Clone());
}

public static class AuditEndpoints
{
    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder api)
    {
        api.MapGet("/admin/audit", ListAsync)
            .RequireAuthorization(Policies.ApiAdmin)
            .WithTags("Admin")
            .WithSummary("The audit log (admin), newest first: entity type, user (e-mail or id), time range (ISO 8601) and action prefix filters.")
            .ProducesProblem(400).ProducesProblem(403);

        return api;
    }

    public static async Task<Ok<PageEnvelope<AuditEntryDto>>> ListAsync(AuditLog audit, string? entity, string? user, DateTime? from, DateTime? to, string? action,
        int? page, int? pageSize, CancellationToken ct)
    {
        if (from is { } f && to is { } t && f > t)
            throw ValidationFailedException.For("from", "from must not be after to.");
        return ApiResults.Page(await audit.ListAsync(new AuditQuery(entity, user, from?.ToUniversalTime(), to?.ToUniversalTime(), action),
            new PageRequest(page, pageSize), ct), AuditEntryDto.From);
    }
}
