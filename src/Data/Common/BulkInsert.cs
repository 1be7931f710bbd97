using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Catalyst.Data.Common;

/// <summary>
/// Inserts many rows of a simple entity (no generated values, no navigations) with multi-row
/// INSERT statements, in the caller's transaction. Used for chunk index rows, thousands per large
/// payload, where EF's change tracking would cost more than the storage itself. Table, column and
/// parameter handling come from the EF model and the provider's own type mappings and SQL helper,
/// so the same code serves SQLite and SQL Server.
/// </summary>
public static class BulkInsert
{
    // SQL Server allows 2100 parameters per command; stay well below on both providers.
    private const int MaxParameters = 1800;

    public static async Task InsertAsync<T>(CatalystDbContext db, IReadOnlyList<T> rows, CancellationToken ct) where T : class
    {
        if (rows.Count == 0)
            return;
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var properties = entity.GetProperties().Where(p => p.GetColumnName(table) is not null).ToList();
        var sql = db.GetService<ISqlGenerationHelper>();
        var columns = string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)));
        var prefix = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({columns}) VALUES ";
        var rowsPerCommand = Math.Max(1, MaxParameters / properties.Count);

        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            for (var start = 0; start < rows.Count; start += rowsPerCommand)
            {
                await using var command = connection.CreateCommand();
                command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
                var text = new StringBuilder(prefix);
                var n = 0;
                for (var r = start; r < Math.Min(rows.Count, start + rowsPerCommand); r++)
                {
                    text.Append(r == start ? "(" : ", (");
                    for (var c = 0; c < properties.Count; c++)
                    {
                        var name = "p" + n++;
                        text.Append(c == 0 ? "" : ", ").Append(sql.GenerateParameterNamePlaceholder(name));
                        var property = properties[c];
                        var mapping = (RelationalTypeMapping)property.GetRelationalTypeMapping();
                        command.Parameters.Add(mapping.CreateParameter(command, sql.GenerateParameterName(name), property.GetGetter().GetClrValue(rows[r]), property.IsNullable));
                    }
                    text.Append(')');
                }
                command.CommandText = text.ToString();
                await command.ExecuteNonQueryAsync(ct);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
