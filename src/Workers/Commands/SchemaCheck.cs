using Catalyst.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Workers.Commands;

public static class SchemaCheck
{
    /// <summary>Commands other than migrate-db refuse to run on an old schema, with the fix in the message.</summary>
    public static async Task<bool> IsCurrentAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var pending = (await scope.ServiceProvider.GetRequiredService<CatalystDbContext>().Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count == 0)
            return true;
        await Console.Error.WriteLineAsync(
            $"The database schema is not up to date ({pending.Count} migration(s) pending). Run `dotnet run --project src/Workers -- migrate-db` first.");
        return false;
    }
}
