using System.Text.Json;
using Catalyst.Data.Common;
using Catalyst.Data.Deployments;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Catalyst.Portal.Api;

/// <summary>
/// A config as clients send it. On PUT, fields left out keep their value; <c>credential</c> attaches
/// or rotates the secret (write-only), <c>removeCredential: true</c> drops it.
/// </summary>
public sealed record DeploymentConfigRequest(string? Name, string? Provider, string? Endpoint, JsonElement? Settings, string? Credential, bool? RemoveCredential)
{
    public DeploymentConfigInput ToInput() => new(Name, Provider, Endpoint, Settings);
}

public sealed record DeploymentConfigDto(Guid Id, Guid WebsiteId, string Name, string Provider, string Endpoint, JsonElement Settings,
    CredentialDto? Credential, DateTime CreatedAt, DateTime UpdatedAt, long Version)
{
    public static DeploymentConfigDto From(DeploymentConfigDetails d) => new(d.Config.Id, d.Config.WebsiteId, d.Config.Name, d.Config.Provider,
        d.Config.Endpoint, JsonLimits.ParseValue(d.Config.Settings), CredentialDto.From(d.Credential), d.Config.CreatedAt, d.Config.UpdatedAt,
        d.Config.Version);
}

public sealed record DeploymentAttemptDto(int Number, DateTime At, int? StatusCode, string? Error, int DurationMs, string Outcome);

public sealed record DeploymentRunDto(Guid Id, Guid ConfigId, Guid WebsiteId, string ConfigName, DeploymentRunStatus Status, int AttemptCount,
    IReadOnlyList<DeploymentAttemptDto> Attempts, string? Error, DateTime? NextAttemptAt, DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt)
{
    public static DeploymentRunDto From(DeploymentRunDetails d) => new(d.Run.Id, d.Run.ConfigId, d.Run.WebsiteId, d.ConfigName, d.Run.Status,
        d.Run.Attempts, d.Attempts.Select(a => new DeploymentAttemptDto(a.Number, a.At, a.StatusCode, a.Error, a.DurationMs, a.Outcome)).ToList(),
        d.Run.Error, d.Run.IsFinished ? null : d.Run.NextAttemptAt, d.Run.CreatedAt, d.Run.StartedAt, d.Run.FinishedAt);
}

public static class DeploymentEndpoints
{
    public static IEndpointRouteBuilder MapDeployments(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("").WithTags("Deployments");

        group.MapGet("/websites/{id:guid}/deployment-configs", ListConfigsAsync)
            .WithSummary("The website's deployment configs (credentials masked).")
            .ProducesProblem(404);

        group.MapPost("/websites/{id:guid}/deployment-configs", CreateConfigAsync)
            .WithSummary("Add a deployment config: an https endpoint (no loopback, private or link-local address), non-secret settings, an optional credential stored encrypted.")
            .ProducesProblem(400).ProducesProblem(404);

        group.MapGet("/deployment-configs/{id:guid}", GetConfigAsync)
            .WithSummary("A deployment config; the ETag is its version.")
            .ProducesProblem(404);

        group.MapPut("/deployment-configs/{id:guid}", UpdateConfigAsync)
            .WithSummary("Change a deployment config (fields left out keep their value). Requires If-Match.")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(412).ProducesProblem(428);

        group.MapDelete("/deployment-configs/{id:guid}", DeleteConfigAsync)
            .WithSummary("Delete a deployment config with its credential and runs.")
            .ProducesProblem(404).ProducesProblem(412);

        group.MapPost("/deployment-configs/{id:guid}/deploy", DeployAsync)
            .WithSummary("Deploy: posts the website backup to the endpoint in the background, retried on 408/429/5xx/network errors (1, 2, 4, 8, 16 s ±20%).")
            .ProducesProblem(404);

        group.MapGet("/deployment-configs/{id:guid}/runs", ListRunsAsync)
            .WithSummary("The config's runs, newest first, each with its attempts (time, status code or error, duration).")
            .ProducesProblem(400).ProducesProblem(404);

        group.MapGet("/deployment-runs/{id:guid}", GetRunAsync)
            .WithSummary("A deployment run with its attempts.")
            .ProducesProblem(404);

        group.MapPost("/deployment-runs/{id:guid}/retry", RetryRunAsync)
            .WithSummary("Retry a failed run by hand: a new round of attempts with the same idempotency key.")
            .ProducesProblem(404).ProducesProblem(409);

        return api;
    }

    public static async Task<Ok<DataEnvelope<List<DeploymentConfigDto>>>> ListConfigsAsync(Guid id, HttpContext http, DeploymentService service, CancellationToken ct) =>
        ApiResults.Ok((await service.ListConfigsAsync(http.User.ToActor(), id, ct)).Select(DeploymentConfigDto.From).ToList());

    public static async Task<Created<DataEnvelope<DeploymentConfigDto>>> CreateConfigAsync(Guid id, DeploymentConfigRequest request, HttpContext http, DeploymentService service, CancellationToken ct)
    {
        var config = await service.CreateConfigAsync(http.User.ToActor(), id, request.ToInput(), request.Credential, ct);
        return ApiResults.Created(http, $"/api/deployment-configs/{config.Config.Id}", DeploymentConfigDto.From(config), config.Config.Version);
    }

    public static async Task<Ok<DataEnvelope<DeploymentConfigDto>>> GetConfigAsync(Guid id, HttpContext http, DeploymentService service, CancellationToken ct)
    {
        var config = await service.GetConfigAsync(http.User.ToActor(), id, ct);
        return ApiResults.Ok(http, DeploymentConfigDto.From(config), config.Config.Version);
    }

    public static async Task<Ok<DataEnvelope<DeploymentConfigDto>>> UpdateConfigAsync(Guid id, DeploymentConfigRequest request, HttpContext http, DeploymentService service, CancellationToken ct)
    {
        var expected = ETags.RequireIfMatch(http.Request);
        var config = await service.UpdateConfigAsync(http.User.ToActor(), id, expected, request.ToInput(), request.Credential, request.RemoveCredential ?? false, ct);
        return ApiResults.Ok(http, DeploymentConfigDto.From(config), config.Config.Version);
    }

    public static async Task<NoContent> DeleteConfigAsync(Guid id, HttpContext http, DeploymentService service, CancellationToken ct)
    {
        await service.DeleteConfigAsync(http.User.ToActor(), id, ETags.ParseIfMatch(http.Request), ct);
        return TypedResults.NoContent();
    }

    public static async Task<Accepted<DataEnvelope<DeploymentRunDto>>> DeployAsync(Guid id, HttpContext http, DeploymentService service, CancellationToken ct)
    {
        var run = await service.DeployAsync(http.User.ToActor(), id, ct);
        return ApiResults.Accepted($"/api/deployment-runs/{run.Run.Id}", DeploymentRunDto.From(run));
    }

    public static async Task<Ok<PageEnvelope<DeploymentRunDto>>> ListRunsAsync(Guid id, HttpContext http, DeploymentService service, int? page, int? pageSize, CancellationToken ct) =>
        ApiResults.Page(await service.ListRunsAsync(http.User.ToActor(), id, new PageRequest(page, pageSize), ct), DeploymentRunDto.From);

    public static async Task<Ok<DataEnvelope<DeploymentRunDto>>> GetRunAsync(Guid id, HttpContext http, DeploymentService service, CancellationToken ct) =>
        ApiResults.Ok(DeploymentRunDto.From(await service.GetRunAsync(http.User.ToActor(), id, ct)));

    public static async Task<Accepted<DataEnvelope<DeploymentRunDto>>> RetryRunAsync(Guid id, HttpContext http, DeploymentService service, CancellationToken ct)
    {
        var run = await service.RetryRunAsync(http.User.ToActor(), id, ct);
        return ApiResults.Accepted($"/api/deployment-runs/{run.Run.Id}", DeploymentRunDto.From(run));
    }
}
