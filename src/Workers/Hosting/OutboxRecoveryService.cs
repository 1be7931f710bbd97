using Catalyst.Data.Outbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Catalyst.Workers.Hosting;

/// <summary>
/// Where a job server starts: the retry schedules of the outbox are given back to the queue (the
/// embedded queue forgot them with the previous process), each at its own nextAttemptAt.
/// </summary>
public sealed class OutboxRecoveryService(IServiceScopeFactory scopes, ILogger<OutboxRecoveryService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var pending = await scope.ServiceProvider.GetRequiredService<OutboxSweeper>().RecoverAsync(cancellationToken);
        if (pending > 0)
            logger.LogWarning("Start-up recovery: {Pending} outbox operation(s) scheduled again", pending);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
