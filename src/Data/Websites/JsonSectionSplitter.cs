using System.Buffers;
using System.Text.Json;
using Catalyst.Data.Common;

namespace Catalyst.Data.Websites;

/// <summary>
/// Reads a JSON object of website-data sections (<c>{"content": …, "assets": …, "aiContext": …}</c>)
/// from a stream without materializing it: the object is validated token by token with
/// <see cref="Utf8JsonReader"/> over a sliding buffer, and each section's raw bytes are handed
/// to a sink as they go by (so a section is stored byte-for-byte as sent). Memory is one buffer,
/// which only grows for a single token larger than it (a huge string), up to
/// <see cref="MaxTokenBytes"/>.
/// </summary>
public sealed class JsonSectionSplitter
{
    /// <summary>A section carries values (the legacy migration's tables of rows) a few levels down: room for them (SPEC §16).</summary>
    public const int MaxDepth = JsonLimits.SectionDepth;
    public const int MaxTokenBytes = 64 << 20;
    private const int InitialBuffer = 256 * 1024;

    /// <summary>Receives one section's bytes: <c>begin(name)</c>, then chunks, then <c>end(isNull)</c>.</summary>
    public interface ISink
    {
        ValueTask BeginAsync(string section, CancellationToken ct);
        ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct);
        ValueTask EndAsync(bool isNull, CancellationToken ct);
    }

    /// <summary>
    /// Splits <paramref name="input"/>; throws <see cref="ValidationFailedException"/> (code
    /// validation_failed / malformed_json) when it is not a JSON object of known, distinct sections.
    /// </summary>
    public static async Task<IReadOnlyList<string>> SplitAsync(Stream input, ISink sink, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
        var state = new JsonReaderState(new JsonReaderOptions { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Disallow });
        var seen = new List<string>();
        var length = 0;
        var eof = false;
        var started = false;
        string? section = null;       // the section whose value is being read
        var capturing = false;
        var captureFrom = 0;          // where in the buffer the section's not-yet-emitted bytes start
        var valueIsNull = false;
        var finished = false;
        long total = 0;
        try
        {
            while (true)
            {
                if (!eof && length < buffer.Length)
                {
                    var read = await input.ReadAsync(buffer.AsMemory(length), ct);
                    if (read == 0) eof = true;
                    length += read;
                    total += read;
                }

                var (consumed, readerState, events) = Scan(buffer.AsSpan(0, length), eof, state, started, section is not null, capturing);
                state = readerState;
                foreach (var e in events)
                {
                    switch (e.Kind)
                    {
                        case EventKind.Started:
                            started = true;
                            break;
                        case EventKind.Property:
                            if (!WebsiteSections.IsKnown(e.Name!))
                                throw ValidationFailedException.For(e.Name!, $"'{e.Name}' is not a section; sections are {string.Join(", ", WebsiteSections.All)}.");
                            if (seen.Contains(e.Name!))
                                throw ValidationFailedException.For(e.Name!, $"The section '{e.Name}' appears twice.");
                            seen.Add(e.Name!);
                            section = e.Name;
                            break;
                        case EventKind.ValueStart:
                            capturing = true;
                            captureFrom = e.Offset;
                            valueIsNull = e.IsNull;
                            await sink.BeginAsync(section!, ct);
                            break;
                        case EventKind.ValueEnd:
                            if (!valueIsNull)
                                await sink.WriteAsync(buffer.AsMemory(captureFrom, e.Offset - captureFrom), ct);
                            await sink.EndAsync(valueIsNull, ct);
                            capturing = false;
                            section = null;
                            break;
                        case EventKind.Finished:
                            finished = true;
                            break;
                    }
                }

                if (capturing && consumed > captureFrom)
                {
                    if (!valueIsNull)
                        await sink.WriteAsync(buffer.AsMemory(captureFrom, consumed - captureFrom), ct);
                    captureFrom = consumed;
                }

                if (finished)
                {
                    // Only whitespace may follow the object.
                    var rest = buffer.AsSpan(consumed, length - consumed);
                    if (rest.TrimStart(" \t\r\n"u8).Length > 0 || !eof && await HasMoreThanWhitespaceAsync(input, ct))
                        throw Malformed("There is data after the JSON object.");
                    return seen;
                }
                if (eof && consumed == length)
                    throw Malformed(started ? "The JSON object ends early." : "The body is empty; send a JSON object of sections.");

                // Keep the unconsumed bytes (a token cut by the buffer's end) and read on.
                var keep = length - consumed;
                if (consumed == 0 && length == buffer.Length)
                {
                    if (buffer.Length >= MaxTokenBytes)
                        throw new TooLargeException("token_too_large", $"A single JSON token is larger than {MaxTokenBytes} bytes.");
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                else if (consumed > 0)
                {
                    buffer.AsSpan(consumed, keep).CopyTo(buffer);
                    length = keep;
                    captureFrom = capturing ? captureFrom - consumed : 0;
                }
                else if (eof)
                {
                    throw Malformed("The JSON object ends early.");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private enum EventKind { Started, Property, ValueStart, ValueEnd, Finished }

    private readonly record struct Event(EventKind Kind, string? Name = null, int Offset = 0, bool IsNull = false);

    /// <summary>Reads as many whole tokens as the buffer holds and reports the structural events.</summary>
    private static (int Consumed, JsonReaderState State, List<Event> Events) Scan(ReadOnlySpan<byte> data, bool final, JsonReaderState state, bool started, bool inSection, bool capturing)
    {
        var events = new List<Event>();
        var reader = new Utf8JsonReader(data, final, state);
        try
        {
            while (reader.Read())
            {
                var depth = reader.CurrentDepth;
                var token = reader.TokenType;
                // The reader leaves string contents unchecked; bytes that are not UTF-8 must not be stored as JSON text.
                if (token is JsonTokenType.String or JsonTokenType.PropertyName && !System.Text.Unicode.Utf8.IsValid(reader.ValueSpan))
                    throw Malformed("The body is not valid UTF-8.");
                if (!started)
                {
                    if (token != JsonTokenType.StartObject)
                        throw ValidationFailedException.For("body", "Website data is a JSON object of sections.");
                    started = true;
                    events.Add(new Event(EventKind.Started));
                    continue;
                }
                if (depth == 0 && token == JsonTokenType.EndObject)
                {
                    events.Add(new Event(EventKind.Finished));
                    return ((int)reader.BytesConsumed, reader.CurrentState, events);
                }
                if (depth == 1 && token == JsonTokenType.PropertyName && !capturing)
                {
                    events.Add(new Event(EventKind.Property, reader.GetString()));
                    inSection = true;
                    continue;
                }
                if (inSection && !capturing && depth == 1)
                {
                    capturing = true;
                    events.Add(new Event(EventKind.ValueStart, Offset: (int)reader.TokenStartIndex, IsNull: token == JsonTokenType.Null));
                    if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
                        continue;
                }
                if (capturing && depth == 1 && token is not (JsonTokenType.PropertyName))
                {
                    // A primitive at depth 1, or the end of the section's object/array.
                    events.Add(new Event(EventKind.ValueEnd, Offset: (int)reader.BytesConsumed));
                    capturing = false;
                    inSection = false;
                }
            }
        }
        catch (JsonException ex)
        {
            throw Malformed($"The body is not valid JSON: {ex.Message.Split(" LineNumber", 2)[0]}");
        }
        return ((int)reader.BytesConsumed, reader.CurrentState, events);
    }

    private static async Task<bool> HasMoreThanWhitespaceAsync(Stream input, CancellationToken ct)
    {
        var probe = new byte[4096];
        int read;
        while ((read = await input.ReadAsync(probe, ct)) > 0)
        {
            if (probe.AsSpan(0, read).TrimStart(" \t\r\n"u8).Length > 0)
                return true;
        }
        return false;
    }

    private static MalformedJsonException Malformed(string message) => new(message);
}
