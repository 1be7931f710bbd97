using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Catalyst.Data.Websites;

namespace Catalyst.Portal.Pages.Websites;

/// <summary>A section (or a prefix of one) pretty-printed for people; <see cref="Truncated"/> when the input went past the limit.</summary>
public sealed record PrettyJson(string Text, bool Truncated, long? Length);

/// <summary>
/// Pretty-prints JSON for the portal's version views and diffs. Sections can be huge, so at most a
/// bounded prefix is read and re-indented token by token; a truncated prefix still prints as far
/// as its last whole token. The output is HTML-encoded by Razor, so a relaxed escaper keeps
/// non-ASCII text readable.
/// </summary>
public static class JsonPretty
{
    /// <summary>What a page shows of one section at most (and what a diff accepts per side).</summary>
    public const int DisplayLimitBytes = 1 << 20;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
        MaxDepth = JsonSectionSplitter.MaxDepth + 1,
    };

    /// <summary>A small, whole JSON document (metadata, item data) indented.</summary>
    public static string Indent(string json) => Format(Encoding.UTF8.GetBytes(json), isFinalBlock: true);

    /// <summary>Reads at most <paramref name="limitBytes"/> of <paramref name="source"/> and pretty-prints them.</summary>
    public static async Task<PrettyJson> FormatAsync(Stream source, long? length, int limitBytes, CancellationToken ct)
    {
        // Bounded: at most limit + 1 bytes, to learn whether there is more.
        var buffer = new byte[Math.Min(limitBytes + 1L, length + 1 ?? limitBytes + 1L)];
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = await source.ReadAsync(buffer.AsMemory(filled), ct)) > 0)
            filled += read;
        var truncated = filled > limitBytes;
        var text = Format(buffer.AsSpan(0, Math.Min(filled, limitBytes)), isFinalBlock: !truncated);
        return new PrettyJson(truncated ? text + "\n…" : text, truncated, length);
    }

    private static string Format(ReadOnlySpan<byte> json, bool isFinalBlock)
    {
        var output = new ArrayBufferWriter<byte>(Math.Max(256, json.Length * 2));
        var reader = new Utf8JsonReader(json, isFinalBlock, new JsonReaderState(new JsonReaderOptions { MaxDepth = JsonSectionSplitter.MaxDepth, CommentHandling = JsonCommentHandling.Skip }));
        try
        {
            using var writer = new Utf8JsonWriter(output, WriterOptions);
            while (reader.Read())
                WriteToken(ref reader, writer);
            writer.Flush();
        }
        catch (JsonException)
        {
            // Stored sections are validated on the way in; show anything else as it is.
            return Encoding.UTF8.GetString(json);
        }
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static void WriteToken(ref Utf8JsonReader reader, Utf8JsonWriter writer)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject: writer.WriteStartObject(); break;
            case JsonTokenType.EndObject: writer.WriteEndObject(); break;
            case JsonTokenType.StartArray: writer.WriteStartArray(); break;
            case JsonTokenType.EndArray: writer.WriteEndArray(); break;
            case JsonTokenType.PropertyName: writer.WritePropertyName(reader.GetString()!); break;
            case JsonTokenType.String: writer.WriteStringValue(reader.GetString()); break;
            case JsonTokenType.True: writer.WriteBooleanValue(true); break;
            case JsonTokenType.False: writer.WriteBooleanValue(false); break;
            case JsonTokenType.Null: writer.WriteNullValue(); break;
            case JsonTokenType.Number:
                if (reader.TryGetInt64(out var integer)) writer.WriteNumberValue(integer);
                else if (reader.TryGetDecimal(out var @decimal)) writer.WriteNumberValue(@decimal);
                else writer.WriteNumberValue(reader.GetDouble());
                break;
        }
    }
}
