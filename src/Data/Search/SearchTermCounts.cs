using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Search;

/// <summary>
/// Adds to the per-term document counts inside the caller's transaction. Relative upserts have no
/// portable LINQ form, so this is the one place with SQL per provider: SQLite's
/// <c>INSERT … ON CONFLICT DO UPDATE</c> and SQL Server's <c>MERGE … WITH (HOLDLOCK)</c>. Terms are applied
/// in id order so that concurrent writers on SQL Server lock rows in the same order.
/// </summary>
internal static class SearchTermCounts
{
    private const int RowsPerStatement = 500;

    public static async Task ApplyAsync(CatalystDbContext db, IReadOnlyDictionary<long, long> deltas, CancellationToken ct)
    {
        var rows = deltas.Where(d => d.Value != 0).OrderBy(d => d.Key).ToList();
        for (var offset = 0; offset < rows.Count; offset += RowsPerStatement)
        {
            var chunk = rows.Skip(offset).Take(RowsPerStatement).ToList();
            var values = new StringBuilder();
            var parameters = new object[chunk.Count * 2];
            for (var i = 0; i < chunk.Count; i++)
            {
                if (i > 0)
                    values.Append(',');
                values.Append(CultureInfo.InvariantCulture, $"({{{2 * i}}}, {{{2 * i + 1}}})");
                parameters[2 * i] = chunk[i].Key;
                parameters[2 * i + 1] = chunk[i].Value;
            }
            var sql = db.Database.IsSqlServer()
                ? $"""
                   MERGE [SearchTerms] WITH (HOLDLOCK) AS t
                   USING (VALUES {values}) AS s([TermId], [Delta]) ON t.[TermId] = s.[TermId]
                   WHEN MATCHED THEN UPDATE SET t.[DocumentCount] = t.[DocumentCount] + s.[Delta]
                   WHEN NOT MATCHED THEN INSERT ([TermId], [DocumentCount]) VALUES (s.[TermId], s.[Delta]);
                   """
                : $"""
                   INSERT INTO "SearchTerms" ("TermId", "DocumentCount") VALUES {values}
                   ON CONFLICT ("TermId") DO UPDATE SET "DocumentCount" = "DocumentCount" + excluded."DocumentCount";
                   """;
            await db.Database.ExecuteSqlRawAsync(sql, parameters, ct);
        }
    }
}
