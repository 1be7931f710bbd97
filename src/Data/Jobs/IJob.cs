namespace Catalyst.Data.Jobs;

/// <summary>
/// A kind of background work. Implementations are plain classes with constructor-injected
/// dependencies; <see cref="JobRunner"/> keeps the JobRun's status, and Hangfire only calls the runner.
/// </summary>
public interface IJob
{
    /// <summary>Does the work of the run and returns its result (serialized into JobRun.Result), or null.</summary>
    Task<object?> RunAsync(Guid jobRunId, CancellationToken ct);
}
