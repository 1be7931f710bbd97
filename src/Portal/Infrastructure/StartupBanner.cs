using Catalyst.Data.Identity;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Catalyst.Portal.Infrastructure;

/// <summary>
/// Once the server listens (after every hosted service started), makes sure there is an admin and
/// prints where the Portal is, with the generated admin password on a first start, as the last
/// thing start-up prints. The admin is created only now so that a start that fails earlier (a taken
/// port) never creates an account whose password nobody saw.
/// </summary>
public sealed class StartupBanner(IServer server, IServiceScopeFactory scopes, ConsoleOutput console) : IHostedLifecycleService
{
    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        GeneratedAdmin? generated;
        await using (var scope = scopes.CreateAsyncScope())
            generated = await scope.ServiceProvider.GetRequiredService<IdentityBootstrapper>().EnsureAdminAsync(cancellationToken);

        // The in-memory test server has no addresses.
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var listening = addresses.Count > 0 ? $"Catalyst is listening on {string.Join(", ", addresses)}" : null;
        if (generated is not null)
        {
            await console.WriteAsync($"""

                ============================================================
                 {listening ?? "Catalyst has started"}
                 Admin account created
                   e-mail:   {generated.Email}
                   password: {generated.Password}
                 This password is shown only once. Set Catalyst__Admin__Email
                 and Catalyst__Admin__Password to choose your own.
                ============================================================

                """, cancellationToken);
        }
        else if (listening is not null)
        {
            await console.WriteAsync(listening + Environment.NewLine, cancellationToken);
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
