using Catalyst.Data.Common;
using Catalyst.Data.Jobs;
using Catalyst.Data.Projects;
using Catalyst.Portal.Infrastructure;

namespace Catalyst.Portal.Api;

public sealed record ProjectRequest(string? Name, string? Description, List<string?>? Tags, ProjectStatus? Status)
{
    public ProjectInput ToInput() => new(Name, Description, Tags, Status);
}

public sealed record ProjectDto(
    Guid Id, Guid OwnerId, string Name, string? Description, ProjectStatus Status, IReadOnlyList<string> Tags,
    bool IsPublished, DateTime? PublishedAt, long? Price, string? Currency, string? Category,
    long DownloadCount, double RatingAverage, int RatingCount,
    DateTime CreatedAt, DateTime UpdatedAt, long Version)
{
    public static ProjectDto From(Project p) => new(
        p.Id, p.OwnerId, p.Name, p.Description, p.Status, p.Tags,
        p.IsPublished, p.PublishedAt, p.Price, p.Currency, p.Category,
        p.DownloadCount, p.RatingAverage, p.RatingCount,
        p.CreatedAt, p.UpdatedAt, p.Version);
}

public static class ProjectEndpoints
{
    public static void MapProjectEndpoints(this RouteGroupBuilder api)
    {
        var projects = api.MapGroup("/projects").WithTags("Projects");

        projects.MapGet("", async (HttpContext http, ProjectService service, string? q, string? status, int? page, int? pageSize, CancellationToken ct) =>
                ApiResults.Page(await service.ListAsync(http.User.ToActor(), new ProjectQuery(q, QueryValues.ParseEnum<ProjectStatus>(status, "status")),
                    new PageRequest(page, pageSize), ct), ProjectDto.From))
            .WithSummary("List your projects (admins: all), newest first; q searches names, status is active or archived.")
            .Produces<PageEnvelope<ProjectDto>>().ProducesProblem(400);

        projects.MapPost("", async (ProjectRequest request, HttpContext http, ProjectService service, CancellationToken ct) =>
            {
                var project = await service.CreateAsync(http.User.ToActor(), request.ToInput(), ct);
                return ApiResults.Created(http, $"/api/projects/{project.Id}", ProjectDto.From(project), project.Version);
            })
            .WithSummary("Create a project.")
            .Produces<DataEnvelope<ProjectDto>>(StatusCodes.Status201Created).ProducesProblem(400).ProducesProblem(413);

        projects.MapGet("/{id:guid}", async (Guid id, HttpContext http, ProjectService service, CancellationToken ct) =>
            {
                var project = await service.GetAsync(http.User.ToActor(), id, ct);
                if (http.Request.Headers.IfNoneMatch.ToString() == ETags.Format(project.Version))
                    return TypedResults.StatusCode(StatusCodes.Status304NotModified);
                return ApiResults.Data(http, ProjectDto.From(project), project.Version);
            })
            .WithSummary("Get a project; the ETag is its version.")
            .Produces<DataEnvelope<ProjectDto>>().ProducesProblem(404);

        projects.MapPut("/{id:guid}", async (Guid id, ProjectRequest request, HttpContext http, ProjectService service, CancellationToken ct) =>
            {
                var expected = ETags.RequireIfMatch(http.Request);
                var project = await service.UpdateAsync(http.User.ToActor(), id, expected, request.ToInput(), ct);
                return ApiResults.Data(http, ProjectDto.From(project), project.Version);
            })
            .WithSummary("Replace a project's name, description, tags and status. Requires If-Match (428 without, 412 when stale).")
            .Produces<DataEnvelope<ProjectDto>>().ProducesProblem(400).ProducesProblem(404).ProducesProblem(412).ProducesProblem(428);

        projects.MapDelete("/{id:guid}", async (Guid id, HttpContext http, ProjectService service, CancellationToken ct) =>
            {
                await service.DeleteAsync(http.User.ToActor(), id, ETags.ParseIfMatch(http.Request), ct);
                return TypedResults.NoContent();
            })
            .WithSummary("Delete a project. An If-Match, when sent, must be current.")
            .ProducesProblem(404).ProducesProblem(412);

        projects.MapPost("/statistics", async (HttpContext http, JobRunService jobs, CancellationToken ct) =>
            {
                var actor = http.User.ToActor();
                var run = await jobs.StartAsync(actor, RecomputeProjectStatisticsJob.Kind, new { ownerId = actor.IsAdmin ? (Guid?)null : actor.UserId }, ct);
                return ApiResults.Accepted($"/api/jobs/{run.Id}", JobRunDto.From(run));
            })
            .WithSummary("Recompute project statistics as a background job (yours; admins: all).")
            .Produces<DataEnvelope<JobRunDto>>(StatusCodes.Status202Accepted);
    }
}
