using Catalyst.Data.Common;
using Catalyst.Data.Identity;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Catalyst.Portal.Api;

public sealed record CreateUserRequest(string? Email, string? Password, List<string>? Roles);

public sealed record UpdateUserRequest(List<string>? Roles, bool? Disabled);

public static class AdminUserEndpoints
{
    public static IEndpointRouteBuilder MapAdminUsers(this IEndpointRouteBuilder api)
    {
        var users = api.MapGroup("/admin/users").WithTags("Admin").RequireAuthorization(Policies.ApiAdmin);

        users.MapGet("", ListAsync)
            .WithSummary("List users (admin).")
            .ProducesProblem(403);

        users.MapGet("/{id:guid}", GetAsync)
            .WithSummary("One user (admin).")
            .ProducesProblem(403).ProducesProblem(404);

        users.MapPost("", CreateAsync)
            .WithSummary("Create a user with roles (admin).")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409);

        users.MapPut("/{id:guid}", UpdateAsync)
            .WithSummary("Change a user's roles or disable them (admin). A disabled user's tokens stop working at once.")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        return api;
    }

    public static async Task<Ok<PageEnvelope<UserSummary>>> ListAsync(UserAdminService service, string? q, int? page, int? pageSize, CancellationToken ct) =>
        ApiResults.Page(await service.ListAsync(q, new PageRequest(page, pageSize), ct), u => u);

    public static async Task<Ok<DataEnvelope<UserSummary>>> GetAsync(Guid id, UserAdminService service, CancellationToken ct) =>
        ApiResults.Ok(await service.GetAsync(id, ct));

    public static async Task<Created<DataEnvelope<UserSummary>>> CreateAsync(CreateUserRequest request, HttpContext http, UserAdminService service, CancellationToken ct)
    {
        var user = await service.CreateAsync(http.User.ToActor(), request.Email, request.Password, request.Roles, ct);
        return ApiResults.Created(http, $"/api/admin/users/{user.Id}", user);
    }

    public static async Task<Ok<DataEnvelope<UserSummary>>> UpdateAsync(Guid id, UpdateUserRequest request, HttpContext http, UserAdminService service, CancellationToken ct) =>
        ApiResults.Ok(await service.UpdateAsync(http.User.ToActor(), id, request.Roles, request.Disabled, ct));
}
