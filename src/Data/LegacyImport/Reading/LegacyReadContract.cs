using System.Text.Json.Nodes;

namespace Catalyst.Data.LegacyImport.Reading;

// The contract between the legacy dump readers (Dexie exports, localStorage dumps) and the
// migration that maps their rows onto Catalyst's services. Readers stream: one item at a time,
// never the whole file in memory; anything a reader cannot decode becomes a LegacyProblemFound
// and the rest of the file is still read.

/// <summary>A dump file as handed in: <paramref name="Name"/> is the original file name (never used as a path).</summary>
/// <param name="Expansion">What typeson '#' references may add while reading it: the files of one run share one budget; null gives the file a budget of its own.</param>
public sealed record LegacySourceFile(string Name, Func<CancellationToken, Task<Stream>> OpenAsync, LegacyExpansionBudget? Expansion = null);

/// <summary>
/// Reads any legacy dump file (Dexie export or localStorage dump, told apart by content, not by name).
/// Implemented by <c>LegacyDumpReader</c>; registered as a singleton.
/// </summary>
public interface ILegacyDumpReader
{
    IAsyncEnumerable<LegacyItem> ReadAsync(LegacySourceFile file, CancellationToken ct);
}

/// <summary>What a reader yields, in file order.</summary>
public abstract record LegacyItem;

/// <summary>A table begins (Dexie: from <c>data.tables</c>; localStorage: one pseudo-table per file).</summary>
public sealed record LegacyTableStarted(LegacyTable Table) : LegacyItem;

/// <summary>One decoded row.</summary>
public sealed record LegacyRowRead(LegacyRow Row) : LegacyItem;

/// <summary>Something that could not be read or decoded; the reader carries on with the next row.</summary>
public sealed record LegacyProblemFound(LegacyProblem Problem) : LegacyItem;

/// <param name="Database">Dexie <c>databaseName</c>; for a localStorage dump <c>localStorage.&lt;app&gt;</c>.</param>
/// <param name="Name">Dexie table name; for a localStorage dump <c>localStorage</c>.</param>
/// <param name="Schema">Dexie schema string (empty primary key part = outbound); empty for localStorage.</param>
/// <param name="DeclaredRowCount">The file's <c>rowCount</c> (localStorage: -1, unknown up front).</param>
public sealed record LegacyTable(string File, string Database, int DatabaseVersion, string Name, string Schema, bool Inbound, int DeclaredRowCount);

public enum LegacyValueKind
{
    /// <summary>A Dexie row (inbound object or the value of an outbound tuple).</summary>
    Row,
    /// <summary>localStorage: a zustand persist entry; <see cref="LegacyRow.Value"/> is the whole <c>{"state","version"}</c> object.</summary>
    ZustandStore,
    /// <summary>localStorage: the string parsed as JSON.</summary>
    Json,
    /// <summary>localStorage: a JSON string whose content is itself JSON; Value is the inner value.</summary>
    DoubleEncodedJson,
    /// <summary>localStorage: not JSON; Value is the string itself.</summary>
    PlainString,
    /// <summary>localStorage: looks like JSON but does not parse; Value is the string itself.</summary>
    Malformed,
}

/// <summary>
/// One decoded row. <see cref="Value"/> is plain JSON after the typeson rules of FORMAT.md:
/// dates become ISO-8601 UTC strings (<c>yyyy-MM-ddTHH:mm:ss.fffZ</c>; an invalid date becomes null),
/// NaN/Infinity/-Infinity the strings "NaN"/"Infinity"/"-Infinity", undefined properties are left out,
/// sets arrays, maps arrays of [key, value] pairs, '#' references copies of what they point at
/// (bounded: a row whose copies pass <see cref="LegacyOptions"/> is a problem instead).
/// Every binary value (blob2, arraybuffer, typed array) is moved to <see cref="Blobs"/> and its place in
/// Value holds <c>{"$blob": index, "type": "...", "size": n}</c>.
/// Strings may hold lone UTF-16 surrogates; write them with <c>LegacyJson</c> (same folder) so they round-trip.
/// </summary>
/// <param name="Key">The primary key as stable text (the source key recorded for idempotence).</param>
public sealed record LegacyRow(string File, string Database, string Table, string Key, LegacyValueKind Kind, JsonNode? Value, IReadOnlyList<LegacyBlob> Blobs);

/// <param name="Path">Key path of the binary value inside the row (FORMAT.md escaping undone).</param>
/// <param name="ContentType">The Blob's <c>type</c>, null for an ArrayBuffer or typed array.</param>
public sealed record LegacyBlob(string Path, string? ContentType, ReadOnlyMemory<byte> Bytes);

/// <param name="Key">Row key when known, null for a file- or table-level problem.</param>
public sealed record LegacyProblem(string File, string Database, string Table, string? Key, string Message);
