using Catalyst.Data.Storage;
using System.Text.Json;
using Catalyst.Data.Common;
using Catalyst.Data.Jobs;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Catalyst.Portal.Api;

public sealed record JobProgressDto(long Done, long? Total);

public sealed record JobRunDto(
    Guid Id, string Kind, JobRunStatus Status, JobProgressDto Progress, JsonElement? Result, string? Error,
    int Attempts, DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt)
{
    public static JobRunDto From(JobRun r) => new(
        r.Id, r.Kind, r.Status, new JobProgressDto(r.ProgressDone, r.ProgressTotal),
        r.Result is null ? null : JsonDocument.Parse(r.Result).RootElement.Clone(),
        r.Error, r.Attempts, r.CreatedAt, r.StartedAt, r.FinishedAt);
}

public static class JobEndpoints
{
    public static IEndpointRouteBuilder MapJobs(this IEndpointRouteBuilder api)
    {
        var jobs = api.MapGroup("/jobs").WithTags("Jobs");

        jobs.MapGet("", ListAsync)
            .WithSummary("List your job runs (admins: all), newest first.")
            .ProducesProblem(400);

        jobs.MapGet("/{id:guid}", GetAsync)
            .WithSummary("A job run with its progress, result and error.")
            .ProducesProblem(404);

        jobs.MapPost("/{id:guid}/cancel", CancelAsync)
            .WithSummary("Ask a queued or running job to stop.")
            .ProducesProblem(404).ProducesProblem(409);

        jobs.MapPost("/{id:guid}/retry", RetryAsync)
            .WithSummary("Run a failed or canceled job again.")
            .ProducesProblem(404).ProducesProblem(409);

        jobs.MapGet("/{id:guid}/result", GetResultAsync)
            .WithSummary("The job's result file, when its kind produces one (streamed with Range).")
            .ProducesProblem(404);

        return api;
    }

    public static async Task<Ok<PageEnvelope<JobRunDto>>> ListAsync(HttpContext http, JobRunService service, string? kind, string? status, int? page, int? pageSize, CancellationToken ct) =>
        ApiResults.Page(await service.ListAsync(http.User.ToActor(), new JobRunQuery(kind, QueryValues.ParseEnum<JobRunStatus>(status, "status")),
            new PageRequest(page, pageSize), ct), JobRunDto.From);

    public static async Task<Ok<DataEnvelope<JobRunDto>>> GetAsync(Guid id, HttpContext http, JobRunService service, CancellationToken ct) =>
        ApiResults.Ok(JobRunDto.From(await service.GetAsync(http.User.ToActor(), id, ct)));

    public static async Task<Ok<DataEnvelope<JobRunDto>>> CancelAsync(Guid id, HttpContext http, JobRunService service, CancellationToken ct) =>
        ApiResults.Ok(JobRunDto.From(await service.CancelAsync(http.User.ToActor(), id, ct)));

    public static async Task<Accepted<DataEnvelope<JobRunDto>>> RetryAsync(Guid id, HttpContext http, JobRunService service, CancellationToken ct)
    {
        var run = await service.RetryAsync(http.User.ToActor(), id, ct);
        return ApiResults.Accepted($"/api/jobs/{run.Id}", JobRunDto.From(run));
    }

    // Served through BlobResults (ranges, ETag): an answer no typed result describes, hence IResult.
    public static async Task<IResult> GetResultAsync(Guid id, HttpContext http, JobRunService service, JobResultFiles files, CancellationToken ct)
    {
        var run = await service.GetAsync(http.User.ToActor(), id, ct);
        if (JobResultFiles.Of(run) is not { } file)
            return TypedResults.Problem("This job has no result file.", statusCode: 404, title: "Not found",
                extensions: new Dictionary<string, object?> { ["code"] = "no_result_file" });
        var stream = await files.OpenAsync(file, ct);
        return BlobResults.Serve(http, stream, file.MediaType, file.FileName, file.Sha256, run.FinishedAt ?? run.CreatedAt, immutable: true);
    }
}
