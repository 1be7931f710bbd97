using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Search;

/// <summary>One row of <c>SearchPostings</c> in its stored form (owner as 16 bytes, date as UTC ticks).</summary>
internal readonly record struct PostingRow(long DocumentId, long TermId, byte[] OwnerId, int Type, int Impact, long AtTicks);

/// <summary>
/// The index's bulk writes, the one place with SQL of its own. EF Core would send one INSERT per
/// posting (hundreds per chat batch) and has no relative upsert, so: postings go in as multi-row
/// INSERTs, and term counts are added with SQLite's <c>INSERT … ON CONFLICT DO UPDATE</c> or SQL Server's
/// <c>MERGE … WITH (HOLDLOCK)</c>, in term order so that concurrent writers on SQL Server lock rows in the
/// same order. Both run in the caller's transaction.
/// <para>
/// Values are written as literals, not parameters: they are integers and 16-byte owner ids this code
/// formats itself (nothing a client wrote), and SQLite looks named parameters up one by one by name,
/// which made a statement with a few thousand of them take longer than its inserts.
/// </para>
/// </summary>
internal static class SearchSql
{
    // SQL Server takes at most 1000 rows per VALUES list.
    private const int RowsPerStatement = 500;

    public static async Task InsertPostingsAsync(CatalystDbContext db, IReadOnlyList<PostingRow> rows, CancellationToken ct)
    {
        var sqlServer = db.Database.IsSqlServer();
        var head = sqlServer
            ? "INSERT INTO [SearchPostings] ([DocumentId], [TermId], [OwnerId], [Type], [Impact], [At]) VALUES "
            : "INSERT INTO \"SearchPostings\" (\"DocumentId\", \"TermId\", \"OwnerId\", \"Type\", \"Impact\", \"At\") VALUES ";
        for (var offset = 0; offset < rows.Count; offset += RowsPerStatement)
        {
            var count = Math.Min(RowsPerStatement, rows.Count - offset);
            var sql = new StringBuilder(head, head.Length + count * 96);
            for (var i = 0; i < count; i++)
            {
                var row = rows[offset + i];
                sql.Append(i == 0 ? "(" : ",(")
                    .Append(row.DocumentId).Append(',').Append(row.TermId).Append(',')
                    .Append(sqlServer ? "0x" : "X'").Append(Convert.ToHexString(row.OwnerId)).Append(sqlServer ? "," : "',")
                    .Append(row.Type).Append(',').Append(row.Impact).Append(',').Append(row.AtTicks).Append(')');
            }
            await db.Database.ExecuteSqlRawAsync(sql.ToString(), ct);
        }
    }

    /// <summary>New documents in one statement; their keys are read back by (type, entity id).</summary>
    public static async Task InsertDocumentsAsync(CatalystDbContext db, IReadOnlyList<SearchDocument> documents, CancellationToken ct)
    {
        var sqlServer = db.Database.IsSqlServer();
        var head = sqlServer
            ? "INSERT INTO [SearchDocuments] ([Type], [EntityId], [OwnerId], [At]) VALUES "
            : "INSERT INTO \"SearchDocuments\" (\"Type\", \"EntityId\", \"OwnerId\", \"At\") VALUES ";
        for (var offset = 0; offset < documents.Count; offset += RowsPerStatement)
        {
            var sql = new StringBuilder(head);
            foreach (var (document, i) in documents.Skip(offset).Take(RowsPerStatement).Select((d, i) => (d, i)))
            {
                // EF Core keeps SQLite GUIDs as upper-case text; SQL Server has uniqueidentifier.
                sql.Append(i == 0 ? "(" : ",(").Append((int)document.Type).Append(",'")
                    .Append(sqlServer ? document.EntityId.ToString("D") : document.EntityId.ToString("D").ToUpperInvariant()).Append("',")
                    .Append(sqlServer ? "0x" : "X'").Append(Convert.ToHexString(document.OwnerId.ToByteArray())).Append(sqlServer ? "," : "',")
                    .Append((document.At.Kind == DateTimeKind.Local ? document.At.ToUniversalTime() : document.At).Ticks).Append(')');
            }
            await db.Database.ExecuteSqlRawAsync(sql.ToString(), ct);
        }
    }

    public static async Task AddTermCountsAsync(CatalystDbContext db, IReadOnlyDictionary<long, long> deltas, CancellationToken ct)
    {
        var rows = deltas.Where(d => d.Value != 0).OrderBy(d => d.Key).ToList();
        for (var offset = 0; offset < rows.Count; offset += RowsPerStatement)
        {
            var values = string.Join(',', rows.Skip(offset).Take(RowsPerStatement)
                .Select(r => string.Create(CultureInfo.InvariantCulture, $"({r.Key},{r.Value})")));
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
            await db.Database.ExecuteSqlRawAsync(sql, ct);
        }
    }
}
