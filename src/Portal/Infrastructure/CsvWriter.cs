namespace Catalyst.Portal.Infrastructure;

/// <summary>
/// Writes CSV (RFC 4180: comma separated, CRLF lines, quoted when needed) row by row to a stream
/// the caller owns. Exports are opened in spreadsheets, so a cell that a spreadsheet would take for
/// a formula (starting with = + - @, or a tab or carriage return) is prefixed with an apostrophe.
/// </summary>
public sealed class CsvWriter(TextWriter writer)
{
    private static readonly char[] NeedsQuotes = [',', '"', '\r', '\n'];

    public async Task WriteRowAsync(IEnumerable<string?> cells, CancellationToken ct)
    {
        var first = true;
        foreach (var cell in cells)
        {
            if (!first)
                await writer.WriteAsync(',');
            first = false;
            await writer.WriteAsync(Cell(cell).AsMemory(), ct);
        }
        await writer.WriteAsync("\r\n".AsMemory(), ct);
    }

    /// <summary>One cell as it is written: made inert for spreadsheets, then quoted when it holds a separator, quote or line break.</summary>
    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value))
            return "";
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
            value = "'" + value;
        return value.IndexOfAny(NeedsQuotes) < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
