using Catalyst.Data.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Catalyst.Workers.Hosting;

/// <summary>
/// Runs once where a job server starts: runs left queued or running by a previous process whose
/// queue entries are gone are queued again (or failed after too many interruptions).
/// </summary>
public sealed class JobRecoveryService(IServiceScopeFactory scopes, ILogger<JobRecoveryService> logger) : IHostedService
{
    public const int MaxAttempts = 3;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var (requeued, failed) = await scope.ServiceProvider.GetRequiredService<JobRunService>().RecoverAsync(MaxAttempts, cancellationToken);
        if (requeued + failed > 0)
            logger.LogWarning("Start-up recovery: {Requeued} job run(s) queued again, {Failed} marked failed", requeued, failed);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
