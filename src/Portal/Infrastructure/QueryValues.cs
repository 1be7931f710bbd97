using System.Text.Json;
using Catalyst.Data.Common;

namespace Catalyst.Portal.Infrastructure;

/// <summary>
/// Enum query parameters (<c>?status=archived</c>) take the camelCase names the API writes in its
/// JSON, in any case. Minimal APIs' own enum binding is case-sensitive and would only accept
/// <c>Archived</c>, so a client could not filter by a value it had just read.
/// </summary>
public static class QueryValues
{
    public static TEnum? ParseEnum<TEnum>(string? value, string parameter) where TEnum : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(value))
            return null;
        var text = value.Trim();
        if (!char.IsAsciiDigit(text[0]) && text[0] != '-' && Enum.TryParse<TEnum>(text, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed))
            return parsed;
        var names = string.Join(", ", Enum.GetNames<TEnum>().Select(JsonNamingPolicy.CamelCase.ConvertName));
        throw ValidationFailedException.For(parameter, $"'{text}' is not a valid {parameter}. Use one of: {names}.");
    }
}
