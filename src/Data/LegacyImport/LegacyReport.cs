namespace Catalyst.Data.LegacyImport;

/// <summary>
/// The report of a migration run (SPEC §11). Per table, <c>source = imported + skipped + failed</c>:
/// every source row is counted exactly once; rows that were not imported carry a problem naming why.
/// </summary>
public sealed record LegacyReport(
    Guid Id,
    string Status,
    string Mode,
    IReadOnlyList<LegacyTableReport> Tables,
    LegacyBlobReport Blobs,
    IReadOnlyList<LegacyReportProblem> Problems,
    LegacyVerification? Verification = null);

public sealed record LegacyTableReport(string Database, string Table, int Source, int Imported, int Skipped, int Failed);

public sealed record LegacyBlobReport(int Source, int Imported, long Bytes);

public sealed record LegacyReportProblem(string Database, string Table, string? Key, string Message, string? File = null);

/// <summary>What verify found: per-kind counts that landed, blobs re-hashed, and any mismatch.</summary>
public sealed record LegacyVerification(bool Passed, int RowsChecked, int BlobsChecked, IReadOnlyList<string> Mismatches, DateTime CheckedAt);

public static class LegacyStatusNames
{
    public static string Of(LegacyImportStatus status) => status switch
    {
        LegacyImportStatus.Pending => "pending",
        LegacyImportStatus.DryRun => "dry-run",
        LegacyImportStatus.Applying => "applying",
        LegacyImportStatus.Applied => "applied",
        LegacyImportStatus.Verified => "verified",
        LegacyImportStatus.RolledBack => "rolled-back",
        _ => "failed",
    };
}

/// <summary>Counts of one run, by (database, table), built as rows are mapped.</summary>
public sealed class LegacyTally
{
    private readonly Dictionary<(string Database, string Table), int[]> _tables = [];
    private readonly List<LegacyReportProblem> _problems = [];
    private const int MaxProblems = 5000;
    public int BlobsSource { get; set; }
    public int BlobsImported { get; set; }
    public long BlobBytes { get; set; }
    public int ProblemsDropped { get; private set; }

    public void Source(string database, string table, int count = 1) => Counts(database, table)[0] += count;
    public void Imported(string database, string table) => Counts(database, table)[1]++;
    public void Skipped(string database, string table) => Counts(database, table)[2]++;
    public void Failed(string database, string table) => Counts(database, table)[3]++;
    public void Touch(string database, string table) => Counts(database, table);

    public void Problem(string database, string table, string? key, string message, string? file = null)
    {
        if (_problems.Count < MaxProblems)
            _problems.Add(new LegacyReportProblem(database, table, key, message, file));
        else
            ProblemsDropped++;
    }

    /// <summary>A copy to go back to when a unit of work fails after counting its rows.</summary>
    public LegacyTally Snapshot()
    {
        var copy = new LegacyTally { BlobsSource = BlobsSource, BlobsImported = BlobsImported, BlobBytes = BlobBytes, ProblemsDropped = ProblemsDropped };
        foreach (var (key, counts) in _tables)
            copy._tables[key] = (int[])counts.Clone();
        copy._problems.AddRange(_problems);
        return copy;
    }

    public void Restore(LegacyTally snapshot)
    {
        (BlobsSource, BlobsImported, BlobBytes, ProblemsDropped) = (snapshot.BlobsSource, snapshot.BlobsImported, snapshot.BlobBytes, snapshot.ProblemsDropped);
        _tables.Clear();
        foreach (var (key, counts) in snapshot._tables)
            _tables[key] = (int[])counts.Clone();
        _problems.Clear();
        _problems.AddRange(snapshot._problems);
    }

    private int[] Counts(string database, string table)
    {
        if (!_tables.TryGetValue((database, table), out var counts))
            _tables[(database, table)] = counts = new int[4];
        return counts;
    }

    public LegacyReport ToReport(Guid id, string status, string mode, LegacyVerification? verification = null)
    {
        var problems = _problems.ToList();
        if (ProblemsDropped > 0)
            problems.Add(new LegacyReportProblem("", "", null, $"{ProblemsDropped} more problems were not listed."));
        return new LegacyReport(id, status, mode,
            _tables.OrderBy(t => t.Key.Database, StringComparer.Ordinal).ThenBy(t => t.Key.Table, StringComparer.Ordinal)
                .Select(t => new LegacyTableReport(t.Key.Database, t.Key.Table, t.Value[0], t.Value[1], t.Value[2], t.Value[3])).ToList(),
            new LegacyBlobReport(BlobsSource, BlobsImported, BlobBytes), problems, verification);
    }
}
