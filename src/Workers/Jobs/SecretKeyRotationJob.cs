using Catalyst.Data.Secrets;

namespace Catalyst.Workers.Jobs;

/// <summary>Re-encrypts every credential under the active data key, then deletes the retired keys (SPEC §14).</summary>
public sealed class SecretKeyRotationJob(SecretKeyRotation rotation) : IJob
{
    public async Task<object?> RunAsync(Guid jobRunId, CancellationToken ct) => await rotation.RunAsync(jobRunId, ct);
}
