using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Catalyst.Data.LegacyImport.Reading;

/// <summary>
/// JSON strings as the old apps wrote them: JavaScript strings are UTF-16 and may hold a lone
/// surrogate, which JSON.stringify writes as an escape (<c>\ud83d</c>) and System.Text.Json refuses
/// to decode. These helpers decode such strings into .NET strings that keep the lone surrogate, and
/// write them back as the same escape, so the text round-trips exactly.
/// </summary>
public static class JsonStrings
{
    /// <summary>Decodes the inside of a JSON string literal (no quotes), keeping lone surrogates.</summary>
    public static string Unescape(ReadOnlySpan<byte> raw)
    {
        if (raw.IndexOf((byte)'\\') < 0)
            return Encoding.UTF8.GetString(raw);
        var text = new StringBuilder(raw.Length);
        var start = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] != '\\')
                continue;
            text.Append(Encoding.UTF8.GetString(raw[start..i]));
            var code = i + 1 < raw.Length ? raw[i + 1] : (byte)'\\';
            i++;
            switch (code)
            {
                case (byte)'n': text.Append('\n'); break;
                case (byte)'r': text.Append('\r'); break;
                case (byte)'t': text.Append('\t'); break;
                case (byte)'b': text.Append('\b'); break;
                case (byte)'f': text.Append('\f'); break;
                case (byte)'u' when i + 4 < raw.Length &&
                    int.TryParse(Encoding.ASCII.GetString(raw.Slice(i + 1, 4)), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var unit):
                    text.Append((char)unit);
                    i += 4;
                    break;
                default: text.Append((char)code); break;
            }
            start = i + 1;
        }
        text.Append(Encoding.UTF8.GetString(raw[start..]));
        return text.ToString();
    }

    /// <summary>A string element's text, lone surrogates kept (System.Text.Json's own decoder refuses them).</summary>
    public static string Of(JsonElement element)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element);
        return Unescape(raw[1..^1]);
    }

    public static string NameOf(JsonProperty property) => Unescape(JsonMarshal.GetRawUtf8PropertyName(property));

    /// <summary>Appends <paramref name="value"/> as a JSON string literal: lone surrogates and control characters as \u escapes.</summary>
    public static void Write(StringBuilder output, string value)
    {
        output.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"': output.Append("\\\""); break;
                case '\\': output.Append("\\\\"); break;
                case '\n': output.Append("\\n"); break;
                case '\r': output.Append("\\r"); break;
                case '\t': output.Append("\\t"); break;
                default:
                    if (c < 0x20 || (char.IsHighSurrogate(c) && (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))) || (char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(value[i - 1]))))
                        output.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else
                        output.Append(c);
                    break;
            }
        }
        output.Append('"');
    }
}

/// <summary>
/// Writes decoded legacy values as JSON text for storage. A lone surrogate is kept as its
/// <c>\uXXXX</c> escape (valid JSON that JavaScript's JSON.parse turns back into the very same
/// string), where System.Text.Json's writer would refuse or replace it.
/// </summary>
public static class LegacyJson
{
    public static string Serialize(JsonNode? node)
    {
        var output = new StringBuilder();
        Write(output, node);
        return output.ToString();
    }

    private static void Write(StringBuilder output, JsonNode? node)
    {
        switch (node)
        {
            case null:
                output.Append("null");
                break;
            case JsonObject obj:
                output.Append('{');
                var first = true;
                foreach (var (name, value) in obj)
                {
                    if (!first)
                        output.Append(',');
                    first = false;
                    JsonStrings.Write(output, name);
                    output.Append(':');
                    Write(output, value);
                }
                output.Append('}');
                break;
            case JsonArray array:
                output.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                        output.Append(',');
                    Write(output, array[i]);
                }
                output.Append(']');
                break;
            case JsonValue value when value.TryGetValue<string>(out var text):
                JsonStrings.Write(output, text);
                break;
            default:
                output.Append(node.ToJsonString());
                break;
        }
    }
}
