namespace Catalyst.Data.Common;

/// <summary>
/// What a name or a description may hold: text a person typed. Names are one line without control
/// characters; descriptions may also break lines and tab. Neither may carry an unpaired surrogate.
/// </summary>
public static class PlainText
{
    public static bool IsSingleLine(string text) => !text.Any(char.IsControl) && WellFormedJson.IsWellFormed(text);

    public static bool IsMultiLine(string text) =>
        !text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')) && WellFormedJson.IsWellFormed(text);
}
