using Catalyst.Data.Common;
using Catalyst.Data.Jobs;
using Catalyst.Data.Projects;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

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
    public static IEndpointRouteBuilder MapProjects(this IEndpointRouteBuilder api)
    {
        var projects = api.MapGroup("/projects").WithTags("Projects");

        projects.MapGet("", ListAsync)
            .WithSummary("List your projects (admins: all), newest first; q searches names, status is active or archived.")
            .ProducesProblem(400);

        projects.MapPost("", CreateAsync)
            .WithSummary("Create a project.")
            .ProducesProblem(400).ProducesProblem(413);

        projects.MapGet("/{id:guid}", GetAsync)
            .WithSummary("Get a project; the ETag is its version.")
            .ProducesProblem(404);

        projects.MapPut("/{id:guid}", UpdateAsync)
            .WithSummary("Replace a project's name, description, tags and status. Requires If-Match (428 without, 412 when stale).")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(412).ProducesProblem(428);

        projects.MapDelete("/{id:guid}", DeleteAsync)
            .WithSummary("Delete a project. An If-Match, when sent, must be current.")
            .ProducesProblem(404).ProducesProblem(412);

        projects.MapPost("/statistics", RecomputeStatisticsAsync)
            .WithSummary("Recompute project statistics as a background job (yours; admins: all).");

        return api;
    }

    public static async Task<Ok<PageEnvelope<ProjectDto>>> ListAsync(HttpContext http, ProjectService service, string? q, string? status, int? page, int? pageSize, CancellationToken ct) =>
        ApiResults.Page(await service.ListAsync(http.User.ToActor(), new ProjectQuery(q, QueryValues.ParseEnum<ProjectStatus>(status, "status")),
            new PageRequest(page, pageSize), ct), ProjectDto.From);

    public static async Task<Created<DataEnvelope<ProjectDto>>> CreateAsync(ProjectRequest request, HttpContext http, ProjectService service, CancellationToken ct)
    {
        var project = await service.CreateAsync(http.User.ToActor(), request.ToInput(), ct);
        return ApiResults.Created(http, $"/api/projects/{project.Id}", ProjectDto.From(project), project.Version);
    }

    public static async Task<Results<Ok<DataEnvelope<ProjectDto>>, StatusCodeHttpResult>> GetAsync(Guid id, HttpContext http, ProjectService service, CancellationToken ct)
    {
        var project = await service.GetAsync(http.User.ToActor(), id, ct);
        if (http.Request.Headers.IfNoneMatch.ToString() == ETags.Format(project.Version))
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        return ApiResults.Ok(http, ProjectDto.From(project), project.Version);
    }

    public static async Task<Ok<DataEnvelope<ProjectDto>>> UpdateAsync(Guid id, ProjectRequest request, HttpContext http, ProjectService service, CancellationToken ct)
    {
        var expected = ETags.RequireIfMatch(http.Request);
        var project = await service.UpdateAsync(http.User.ToActor(), id, expected, request.ToInput(), ct);
        return ApiResults.Ok(http, ProjectDto.From(project), project.Version);
    }

    public static async Task<NoContent> DeleteAsync(Guid id, HttpContext http, ProjectService service, CancellationToken ct)
    {
        await service.DeleteAsync(http.User.ToActor(), id, ETags.ParseIfMatch(http.Request), ct);
        return TypedResults.NoContent();
    }

    public static async Task<Accepted<DataEnvelope<JobRunDto>>> RecomputeStatisticsAsync(HttpContext http, JobRunService jobs, CancellationToken ct)
    {
        var actor = http.User.ToActor();
        var run = await jobs.StartAsync(actor, RecomputeProjectStatisticsJob.Kind, new { ownerId = actor.IsAdmin ? (Guid?)null : actor.UserId }, ct);
        return ApiResults.Accepted($"/api/jobs/{run.Id}", JobRunDto.From(run));
    }
}
