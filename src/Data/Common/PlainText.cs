namespace Catalyst.Data.Common;

/// <summary>
/// What a name or a description may hold: text a person typed. Names are one line without control
/// characters or bidirectional formatting controls; descriptions may also break lines and tab.
/// Neither may carry an unpaired surrogate.
/// </summary>
public static class PlainText
{
    /// <summary>
    /// The bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069). They
    /// reorder what is shown after them, so "\u202Egnp.exe" displays as "exe.png"; names refuse them
    /// (SPEC §16). <see cref="char.IsControl(char)"/> does not see them: they are format characters.
    /// </summary>
    public static bool IsBidiControl(char c) => c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    public static bool HasBidiControl(string text) => text.AsSpan().IndexOfAnyInRange('\u202A', '\u202E') >= 0 || text.AsSpan().IndexOfAnyInRange('\u2066', '\u2069') >= 0;

    /// <summary>A name (of a project, a website, a token, a chat session...): no control characters, no bidirectional controls.</summary>
    public static bool IsName(string text) => !text.Any(char.IsControl) && !HasBidiControl(text);

    /// <summary>The message of a name <see cref="IsName"/> refuses.</summary>
    public const string NameRule = "must not contain control characters or bidirectional formatting characters (U+202A–U+202E, U+2066–U+2069)";

    public static bool IsSingleLine(string text) => IsName(text) && WellFormedJson.IsWellFormed(text);

    public static bool IsMultiLine(string text) =>
        !text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')) && WellFormedJson.IsWellFormed(text);
}
