using Catalyst.Data.Features;
using Catalyst.Portal.Infrastructure;

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
    public static void MapFeatureEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/me/features", async (HttpContext http, IUserFeatures features, CancellationToken ct) =>
                ApiResults.Data(await features.ForAsync(FeatureUser.From(http.User.ToActor()), ct)))
            .WithTags("Features")
            .WithSummary("The feature flags you get, every defined flag on or off (the same map /api/sync/init carries as features).")
            .Produces<DataEnvelope<IReadOnlyDictionary<string, bool>>>();

        var admin = api.MapGroup("/admin/features").WithTags("Admin").RequireAuthorization(Policies.ApiAdmin);

        admin.MapGet("", async (FeatureFlagService service, CancellationToken ct) =>
                ApiResults.Data((await service.ListAsync(ct)).Select(FeatureFlagDto.From).ToList()))
            .WithSummary("List feature flags (admin).")
            .Produces<DataEnvelope<List<FeatureFlagDto>>>().ProducesProblem(403);

        admin.MapPost("", async (FeatureFlagRequest request, HttpContext http, FeatureFlagService service, CancellationToken ct) =>
            {
                var flag = await service.CreateAsync(http.User.ToActor(), request.ToInput(), ct);
                return ApiResults.Created(http, $"/api/admin/features/{flag.Name}", FeatureFlagDto.From(flag), flag.Version);
            })
            .WithSummary("Create a feature flag (admin): state on, off, percentage (sticky per user) or targeted (users by e-mail, roles). Audited.")
            .Produces<DataEnvelope<FeatureFlagDto>>(StatusCodes.Status201Created).ProducesProblem(400).ProducesProblem(403).ProducesProblem(409);

        admin.MapGet("/{name}", async (string name, HttpContext http, FeatureFlagService service, CancellationToken ct) =>
            {
                var flag = await service.GetAsync(name, ct);
                return ApiResults.Data(http, FeatureFlagDto.From(flag), flag.Version);
            })
            .WithSummary("One feature flag (admin).")
            .Produces<DataEnvelope<FeatureFlagDto>>().ProducesProblem(403).ProducesProblem(404);

        admin.MapPut("/{name}", async (string name, FeatureFlagRequest request, HttpContext http, FeatureFlagService service, CancellationToken ct) =>
            {
                var (flag, created) = await service.PutAsync(http.User.ToActor(), name, ETags.ParseIfMatch(http.Request), request.ToInput(), ct);
                return created
                    ? ApiResults.Created(http, $"/api/admin/features/{flag.Name}", FeatureFlagDto.From(flag), flag.Version)
                    : ApiResults.Data(http, FeatureFlagDto.From(flag), flag.Version);
            })
            .WithSummary("Set a feature flag (admin), creating it when absent (201). An If-Match, when sent, must be current. Audited.")
            .Produces<DataEnvelope<FeatureFlagDto>>().Produces<DataEnvelope<FeatureFlagDto>>(StatusCodes.Status201Created)
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(412);

        admin.MapDelete("/{name}", async (string name, HttpContext http, FeatureFlagService service, CancellationToken ct) =>
            {
                await service.DeleteAsync(http.User.ToActor(), name, ct);
                return TypedResults.NoContent();
            })
            .WithSummary("Delete a feature flag (admin). Audited.")
            .ProducesProblem(403).ProducesProblem(404);
    }
}
