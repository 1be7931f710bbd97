using Catalyst.Data.Secrets;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Catalyst.Portal.Api;

public static class SecretEndpoints
{
    public static IEndpointRouteBuilder MapSecrets(this IEndpointRouteBuilder api)
    {
        var keys = api.MapGroup("/admin/keys").WithTags("Admin").RequireAuthorization(Policies.ApiAdmin);

        keys.MapGet("", ListKeysAsync)
            .WithSummary("The vault's data keys (admin): id, status (active/retiring), and how many credentials each encrypts. Never key material.")
            .ProducesProblem(403);

        keys.MapPost("/rotate", RotateAsync)
            .WithSummary("Rotate the data key (admin): new secrets use a new key at once; a job re-encrypts every secret, then the old keys are deleted. Reads keep working throughout.")
            .ProducesProblem(403);

        return api;
    }

    public static async Task<Ok<DataEnvelope<IReadOnlyList<SecretKeySummary>>>> ListKeysAsync(SecretKeyRotation rotation, CancellationToken ct) =>
        ApiResults.Ok(await rotation.ListAsync(ct));

    public static async Task<Accepted<DataEnvelope<JobRunDto>>> RotateAsync(HttpContext http, SecretKeyRotation rotation, CancellationToken ct)
    {
        var run = await rotation.StartAsync(http.User.ToActor(), ct);
        return ApiResults.Accepted($"/api/jobs/{run.Id}", JobRunDto.From(run));
    }
}
