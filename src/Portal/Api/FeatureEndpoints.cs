using Catalyst.Data.Features;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Catalyst.Portal.Api;

public sealed record FeatureFlagRequest(string? Name, string? Description, string? State, int? Percentage, List<string>? Users, List<string>? Roles)
{
    public FeatureFlagInput ToInput() => new(Name, Description, QueryValues.ParseEnum<FeatureFlagState>(State, "state"), Percentage, Users, Roles);
}

public sealed record FeatureFlagDto(string Name, string? Description, FeatureFlagState State, int Percentage, IReadOnlyList<string> Users,
    IReadOnlyList<string> Roles, DateTime CreatedAt, DateTime UpdatedAt, long Version)
{
    public static FeatureFlagDto From(FeatureFlag f) => new(f.Name, f.Description, f.State, f.Percentage, f.Users, f.Roles, f.CreatedAt, f.UpdatedAt, f.Version);
}

public static class FeatureEndpoints
{
    public static IEndpointRouteBuilder MapFeatures(this IEndpointRouteBuilder api)
    {
        api.MapGet("/me/features", GetMineAsync)
            .WithTags("Features")
            .WithSummary("The feature flags you get, every defined flag on or off (the same map /api/sync/init carries as features).");

        var admin = api.MapGroup("/admin/features").WithTags("Admin").RequireAuthorization(Policies.ApiAdmin);

        admin.MapGet("", ListAsync)
            .WithSummary("List feature flags (admin).")
            .ProducesProblem(403);

        admin.MapPost("", CreateAsync)
            .WithSummary("Create a feature flag (admin): state on, off, percentage (sticky per user) or targeted (users by e-mail, roles). Audited.")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409);

        admin.MapGet("/{name}", GetAsync)
            .WithSummary("One feature flag (admin).")
            .ProducesProblem(403).ProducesProblem(404);

        admin.MapPut("/{name}", PutAsync)
            .WithSummary("Set a feature flag (admin), creating it when absent (201). An If-Match, when sent, must be current. Audited.")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(412);

        admin.MapDelete("/{name}", DeleteAsync)
            .WithSummary("Delete a feature flag (admin). Audited.")
            .ProducesProblem(403).ProducesProblem(404);

        return api;
    }

    public static async Task<Ok<DataEnvelope<IReadOnlyDictionary<string, bool>>>> GetMineAsync(HttpContext http, IUserFeatures features, CancellationToken ct) =>
        ApiResults.Ok(await features.ForAsync(FeatureUser.From(http.User.ToActor()), ct));

    public static async Task<Ok<DataEnvelope<List<FeatureFlagDto>>>> ListAsync(FeatureFlagService service, CancellationToken ct) =>
        ApiResults.Ok((await service.ListAsync(ct)).Select(FeatureFlagDto.From).ToList());

    public static async Task<Created<DataEnvelope<FeatureFlagDto>>> CreateAsync(FeatureFlagRequest request, HttpContext http, FeatureFlagService service, CancellationToken ct)
    {
        var flag = await service.CreateAsync(http.User.ToActor(), request.ToInput(), ct);
        return ApiResults.Created(http, $"/api/admin/features/{flag.Name}", FeatureFlagDto.From(flag), flag.Version);
    }

    public static async Task<Ok<DataEnvelope<FeatureFlagDto>>> GetAsync(string name, HttpContext http, FeatureFlagService service, CancellationToken ct)
    {
        var flag = await service.GetAsync(name, ct);
        return ApiResults.Ok(http, FeatureFlagDto.From(flag), flag.Version);
    }

    public static async Task<Results<Ok<DataEnvelope<FeatureFlagDto>>, Created<DataEnvelope<FeatureFlagDto>>>> PutAsync(string name, FeatureFlagRequest request,
        HttpContext http, FeatureFlagService service, CancellationToken ct)
    {
        var (flag, created) = await service.PutAsync(http.User.ToActor(), name, ETags.ParseIfMatch(http.Request), request.ToInput(), ct);
        return created
            ? ApiResults.Created(http, $"/api/admin/features/{flag.Name}", FeatureFlagDto.From(flag), flag.Version)
            : ApiResults.Ok(http, FeatureFlagDto.From(flag), flag.Version);
    }

    public static async Task<NoContent> DeleteAsync(string name, HttpContext http, FeatureFlagService service, CancellationToken ct)
    {
        await service.DeleteAsync(http.User.ToActor(), name, ct);
        return TypedResults.NoContent();
    }
}
