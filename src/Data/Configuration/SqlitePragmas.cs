using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Catalyst.Data.Configuration;

/// <summary>
/// Per-connection SQLite settings. In WAL mode, synchronous=NORMAL keeps the database consistent
/// across a process crash (a power loss may lose the last commits, never corrupt the file) and
/// saves an fsync per commit; busy_timeout lets a writer wait for another instead of failing.
/// </summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
