using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.LegacyImport.Reading;

/// <summary>
/// Section <c>Catalyst:Legacy</c>: how far the dump reader lets typeson <c>#</c> references grow
/// what it read (SPEC §16 bounded expansion). A reference is a copy of an earlier part of the row,
/// and a reference to a part holding references copies those too, so a 1.5 KB row can describe
/// gigabytes; the reader counts what each copy costs and refuses the row past these bounds.
/// </summary>
public sealed class LegacyOptions
{
    public const string Section = "Catalyst:Legacy";

    /// <summary>What the references of one row may add (JSON text plus <see cref="LegacyExpansionBudget.NodeCost"/> per value); the row is a problem above.</summary>
    public long MaxRowExpansionBytes { get; set; } = 4L << 20;

    /// <summary>What the references of all rows of one migration run may add together; later rows with references are problems above.</summary>
    public long MaxRunExpansionBytes { get; set; } = 64L << 20;
}

public sealed class LegacyOptionsValidator : IValidateOptions<LegacyOptions>
{
    public ValidateOptionsResult Validate(string? name, LegacyOptions options)
    {
        var failures = new List<string>();
        if (options.MaxRowExpansionBytes < 1024)
            failures.Add("Catalyst:Legacy:MaxRowExpansionBytes must be at least 1024.");
        if (options.MaxRunExpansionBytes < options.MaxRowExpansionBytes)
            failures.Add("Catalyst:Legacy:MaxRunExpansionBytes must be at least Catalyst:Legacy:MaxRowExpansionBytes.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// What '#' references may still add: per row, and for every row read against it (one run shares
/// one budget across its files, see <see cref="LegacySourceFile.Expansion"/>). A refused row's
/// copies are dropped with it, so only rows that were read count against the run. Not thread-safe:
/// a run reads its files one at a time.
/// </summary>
public sealed class LegacyExpansionBudget(long perRow, long perRun)
{
    /// <summary>What one value costs besides its text: roughly the memory of a node.</summary>
    public const int NodeCost = 32;

    private long _run;
    private long _row;

    public LegacyExpansionBudget(LegacyOptions options) : this(options.MaxRowExpansionBytes, options.MaxRunExpansionBytes) { }

    public long PerRow => perRow;
    public long PerRun => perRun;
    /// <summary>What the rows read so far added.</summary>
    public long Spent => _run;

    public void BeginRow() => _row = 0;

    /// <summary>The row was read whole: what its references added stays in memory with it.</summary>
    public void EndRow()
    {
        _run += _row;
        _row = 0;
    }

    /// <summary>Counts the copy of <paramref name="node"/>, or throws <see cref="LegacyExpansionException"/> when it does not fit.</summary>
    public void Spend(JsonNode? node, JsonNode? row)
    {
        var rowLeft = perRow - _row;
        var runLeft = perRun - _run - _row;
        var cost = CopyCost(node, Math.Min(rowLeft, runLeft));
        if (cost > rowLeft)
            throw new LegacyExpansionException($"Its '#' references expand it past {Size(perRow)} (Catalyst:Legacy:MaxRowExpansionBytes): not imported.", row);
        if (cost > runLeft)
            throw new LegacyExpansionException($"The '#' references of this migration's rows together expand past {Size(perRun)} (Catalyst:Legacy:MaxRunExpansionBytes): this row is not imported.", row);
        _row += cost;
    }

    /// <summary>What copying <paramref name="node"/> costs (its JSON text, plus <see cref="NodeCost"/> per value); counting stops once past <paramref name="limit"/>.</summary>
    public static long CopyCost(JsonNode? node, long limit)
    {
        long cost = 0;
        var pending = new Stack<JsonNode?>();
        pending.Push(node);
        while (pending.Count > 0 && cost <= limit)
        {
            cost += NodeCost;
            switch (pending.Pop())
            {
                case JsonObject obj:
                    foreach (var (name, value) in obj)
                    {
                        cost += name.Length + 4;
                        pending.Push(value);
                    }
                    break;
                case JsonArray array:
                    foreach (var item in array)
                    {
                        cost++;
                        pending.Push(item);
                    }
                    break;
                case JsonValue value when value.TryGetValue<string>(out var text):
                    cost += text.Length + 2;
                    break;
            }
        }
        return cost;
    }

    private static string Size(long bytes) => bytes % (1 << 20) == 0 ? $"{bytes >> 20} MiB" : $"{bytes} bytes";
}

/// <summary>A row whose '#' references expand past the budget; <see cref="Row"/> is the row before they were resolved (for its key).</summary>
public sealed class LegacyExpansionException(string message, JsonNode? row) : Exception(message)
{
    public JsonNode? Row { get; } = row;
}
