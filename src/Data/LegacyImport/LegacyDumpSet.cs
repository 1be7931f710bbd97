using Catalyst.Data.LegacyImport.Reading;

namespace Catalyst.Data.LegacyImport;

/// <summary>One dump file read whole into rows by table (blobs included), with the reader's problems.</summary>
public sealed class LegacyFileRows
{
    public required LegacySourceFile File { get; init; }
    public string Database { get; set; } = "";
    public List<LegacyTable> Tables { get; } = [];
    public Dictionary<string, List<LegacyRow>> Rows { get; } = new(StringComparer.Ordinal);
    public List<LegacyProblem> Problems { get; } = [];

    public IReadOnlyList<LegacyRow> Of(string table) => Rows.TryGetValue(table, out var rows) ? rows : [];
}

/// <summary>
/// The input files of a migration, told apart by the database they hold. Files are read one at a
/// time, when their turn comes, so a run holds at most one website's (or one database's) rows.
/// </summary>
public sealed class LegacyDumpSet(ILegacyDumpReader reader, IReadOnlyList<LegacySourceFile> files)
{
    private readonly Dictionary<LegacySourceFile, string> _databases = [];

    public IReadOnlyList<LegacySourceFile> Files => files;

    /// <summary>Learns each file's database from its first item (the reader stops there).</summary>
    public async Task DiscoverAsync(CancellationToken ct)
    {
        foreach (var file in files)
        {
            var database = "";
            await foreach (var item in reader.ReadAsync(file, ct))
            {
                database = item switch
                {
                    LegacyTableStarted started => started.Table.Database,
                    LegacyRowRead read => read.Row.Database,
                    LegacyProblemFound problem => problem.Problem.Database,
                    _ => "",
                };
                break;
            }
            _databases[file] = database;
        }
    }

    public string DatabaseOf(LegacySourceFile file) => _databases.GetValueOrDefault(file, "");

    public IEnumerable<LegacySourceFile> FilesOf(Func<string, bool> database) => files.Where(f => database(DatabaseOf(f)));

    public async Task<LegacyFileRows> ReadAsync(LegacySourceFile file, CancellationToken ct)
    {
        var result = new LegacyFileRows { File = file, Database = DatabaseOf(file) };
        await foreach (var item in reader.ReadAsync(file, ct))
        {
            switch (item)
            {
                case LegacyTableStarted started:
                    result.Database = started.Table.Database;
                    result.Tables.Add(started.Table);
                    if (!result.Rows.ContainsKey(started.Table.Name))
                        result.Rows[started.Table.Name] = [];
                    break;
                case LegacyRowRead read:
                    if (!result.Rows.TryGetValue(read.Row.Table, out var rows))
                        result.Rows[read.Row.Table] = rows = [];
                    rows.Add(read.Row);
                    break;
                case LegacyProblemFound found:
                    result.Problems.Add(found.Problem);
                    break;
            }
        }
        return result;
    }
}
