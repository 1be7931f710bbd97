using Catalyst.Data.Common;
using Catalyst.Data.Identity;
using Catalyst.Portal.Infrastructure;

namespace Catalyst.Portal.Api;

public sealed record CreateUserRequest(string? Email, string? Password, List<string>? Roles);

public sealed record UpdateUserRequest(List<string>? Roles, bool? Disabled);

public static class AdminUserEndpoints
{
    public static void MapAdminUserEndpoints(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/admin/users").WithTags("Admin").RequireAuthorization(Policies.ApiAdmin);

        users.MapGet("", async (UserAdminService service, string? q, int? page, int? pageSize, CancellationToken ct) =>
                ApiResults.Page(await service.ListAsync(q, new PageRequest(page, pageSize), ct), u => u))
            .WithSummary("List users (admin).")
            .Produces<PageEnvelope<UserSummary>>().ProducesProblem(403);

        users.MapGet("/{id:guid}", async (Guid id, UserAdminService service, CancellationToken ct) =>
                ApiResults.Data(await service.GetAsync(id, ct)))
            .WithSummary("One user (admin).")
            .Produces<DataEnvelope<UserSummary>>().ProducesProblem(403).ProducesProblem(404);

        users.MapPost("", async (CreateUserRequest request, HttpContext http, UserAdminService service, CancellationToken ct) =>
            {
                var user = await service.CreateAsync(http.User.ToActor(), request.Email, request.Password, request.Roles, ct);
                return ApiResults.Created(http, $"/api/admin/users/{user.Id}", user);
            })
            .WithSummary("Create a user with roles (admin).")
            .Produces<DataEnvelope<UserSummary>>(StatusCodes.Status201Created).ProducesProblem(400).ProducesProblem(403).ProducesProblem(409);

        users.MapPut("/{id:guid}", async (Guid id, UpdateUserRequest request, HttpContext http, UserAdminService service, CancellationToken ct) =>
                ApiResults.Data(await service.UpdateAsync(http.User.ToActor(), id, request.Roles, request.Disabled, ct)))
            .WithSummary("Change a user's roles or disable them (admin). A disabled user's tokens stop working at once.")
            .Produces<DataEnvelope<UserSummary>>().ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
    }
}
