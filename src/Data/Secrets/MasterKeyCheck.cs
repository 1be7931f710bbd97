using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Secrets;

/// <summary>
/// At start-up, after the schema is in place: the configured master key must open every data key
/// in the database, otherwise the process stops with a message naming the setting (a wrong key would
/// otherwise surface much later as failed deliveries). An empty ring gets its first key here.
/// </summary>
public sealed class MasterKeyCheck(IServiceScopeFactory scopes) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CatalystDbContext>();
        var ring = scope.ServiceProvider.GetRequiredService<SecretKeyRing>();
        var keys = await db.Set<SecretKey>().AsNoTracking().ToListAsync(cancellationToken);
        foreach (var key in keys)
        {
            try
            {
                ring.Open(key);
            }
            catch (SecretKeyUnavailableException ex)
            {
                throw new OptionsValidationException(SecretsOptions.MasterKeyKey, typeof(SecretsOptions),
                    [$"{SecretsOptions.MasterKeyKey} cannot decrypt the secrets in this database. {ex.Message} Start with the master key the secrets were stored under."]);
            }
        }
        if (keys.Count == 0)
            await ring.ActiveKeyAsync(db, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
