using Catalyst.Data.Common;
using Catalyst.Data.Tokens;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Catalyst.Portal.Api;

public sealed record AdminApiTokenDto(Guid Id, Guid UserId, string OwnerEmail, string Name, string Prefix, DateTime CreatedAt, DateTime? ExpiresAt,
    DateTime? LastUsedAt, DateTime? RevokedAt)
{
    public static AdminApiTokenDto From(ApiTokenOverview o) => new(o.Token.Id, o.Token.UserId, o.OwnerEmail, o.Token.Name,
        ApiTokenService.TokenPrefix + o.Token.Prefix + "…", o.Token.CreatedAt, o.Token.ExpiresAt, o.Token.LastUsedAt, o.Token.RevokedAt);
}

public static class AdminTokenEndpoints
{
    public static IEndpointRouteBuilder MapAdminTokens(this IEndpointRouteBuilder api)
    {
        var tokens = api.MapGroup("/admin/tokens").WithTags("Admin").RequireAuthorization(Policies.ApiAdmin);

        tokens.MapGet("", ListAsync)
            .WithSummary("Every user's API tokens (admin), newest first; never their values.")
            .ProducesProblem(403);

        tokens.MapDelete("/{id:guid}", RevokeAsync)
            .WithSummary("Revoke any user's API token (admin). Audited.")
            .ProducesProblem(403).ProducesProblem(404);

        return api;
    }

    public static async Task<Ok<PageEnvelope<AdminApiTokenDto>>> ListAsync(HttpContext http, ApiTokenService service, bool? active, string? owner,
        int? page, int? pageSize, CancellationToken ct) =>
        ApiResults.Page(await service.ListAllAsync(http.User.ToActor(), active ?? false, owner, new PageRequest(page, pageSize), ct), AdminApiTokenDto.From);

    public static async Task<NoContent> RevokeAsync(Guid id, HttpContext http, ApiTokenService service, CancellationToken ct)
    {
        await service.RevokeAsync(http.User.ToActor(), id, ct);
        return TypedResults.NoContent();
    }
}
