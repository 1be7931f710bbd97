using Catalyst.Data.Jobs;

namespace Catalyst.Data.Secrets;

/// <summary>Re-encrypts every credential under the active data key, then deletes the retired keys (SPEC §14).</summary>
public sealed class SecretKeyRotationJob(SecretKeyRotation rotation) : IJob
{
    public const string Kind = "secret-key-rotation";
    public const string DisplayName = "Secret key rotation";

    public async Task<object?> RunAsync(Guid jobRunId, CancellationToken ct) => await rotation.RunAsync(jobRunId, ct);
}
