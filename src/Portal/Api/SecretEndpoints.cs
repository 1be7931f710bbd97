using Catalyst.Data.Secrets;
using Catalyst.Portal.Infrastructure;

namespace Catalyst.Portal.Api;

public static class SecretEndpoints
{
    public static void MapSecretEndpoints(this RouteGroupBuilder api)
    {
        var keys = api.MapGroup("/admin/keys").WithTags("Admin").RequireAuthorization(Policies.ApiAdmin);

        keys.MapGet("", async (SecretKeyRotation rotation, CancellationToken ct) => ApiResults.Data(await rotation.ListAsync(ct)))
            .WithSummary("The vault's data keys (admin): id, status (active/retiring), and how many credentials each encrypts. Never key material.")
            .Produces<DataEnvelope<IReadOnlyList<SecretKeySummary>>>().ProducesProblem(403);

        keys.MapPost("/rotate", async (HttpContext http, SecretKeyRotation rotation, CancellationToken ct) =>
            {
                var run = await rotation.StartAsync(http.User.ToActor(), ct);
                return ApiResults.Accepted($"/api/jobs/{run.Id}", JobRunDto.From(run));
            })
            .WithSummary("Rotate the data key (admin): new secrets use a new key at once; a job re-encrypts every secret, then the old keys are deleted. Reads keep working throughout.")
            .Produces<DataEnvelope<JobRunDto>>(StatusCodes.Status202Accepted).ProducesProblem(403);
    }
}
