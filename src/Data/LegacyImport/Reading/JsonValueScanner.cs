namespace Catalyst.Data.LegacyImport.Reading;

/// <summary>
/// Walks a JSON file of any size through a buffer that holds only the value being read: structural
/// tokens (braces, names) one at a time, and whole values as byte slices found by bracket matching
/// (string-aware, no recursion, so nesting depth costs nothing here). The buffer grows only for a
/// value larger than it, so memory is bounded by the largest single row, not by the file.
/// </summary>
public sealed class JsonValueScanner(Stream stream, int initialBuffer = 1 << 16)
{
    private byte[] _buffer = new byte[initialBuffer];
    private int _position;
    private int _length;
    private bool _ended;

    /// <summary>Bytes consumed from the start of the stream (for problem messages).</summary>
    public long Offset { get; private set; }

    /// <summary>The next non-whitespace byte without consuming it; -1 at the end of the stream.</summary>
    public async ValueTask<int> PeekAsync(CancellationToken ct)
    {
        while (true)
        {
            while (_position < _length && IsWhitespace(_buffer[_position]))
                Advance(1);
            if (_position < _length)
                return _buffer[_position];
            if (!await FillAsync(ct))
                return -1;
        }
    }

    /// <summary>Consumes <paramref name="expected"/> (after whitespace), or throws a truncation/format error.</summary>
    public async ValueTask ExpectAsync(byte expected, CancellationToken ct)
    {
        var next = await PeekAsync(ct);
        if (next != expected)
            throw Malformed(next < 0 ? $"the file ends where '{(char)expected}' was expected" : $"'{(char)next}' where '{(char)expected}' was expected");
        Advance(1);
    }

    /// <summary>Consumes a ',' if one is next; false when the container ends instead.</summary>
    public async ValueTask<bool> NextItemAsync(byte close, bool first, CancellationToken ct)
    {
        var next = await PeekAsync(ct);
        if (next == close)
        {
            Advance(1);
            return false;
        }
        if (!first)
        {
            if (next != ',')
                throw Malformed(next < 0 ? "the file ends inside a list" : $"'{(char)next}' where ',' was expected");
            Advance(1);
        }
        return true;
    }

    /// <summary>A property name and its colon; the name decoded as a string.</summary>
    public async ValueTask<string> ReadNameAsync(CancellationToken ct)
    {
        var raw = await ReadValueAsync(ct);
        if (raw.Length < 2 || raw.Span[0] != '"')
            throw Malformed("a property name was expected");
        var name = JsonStrings.Unescape(raw.Span[1..^1]);
        await ExpectAsync((byte)':', ct);
        return name;
    }

    /// <summary>
    /// The bytes of the next complete value (object, array, string or scalar). The slice stays valid
    /// until the next call.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReadValueAsync(CancellationToken ct)
    {
        var first = await PeekAsync(ct);
        if (first < 0)
            throw Malformed("the file ends where a value was expected");
        var scanned = 0; // bytes of the value already examined, from _position
        var depth = 0;
        var inString = false;
        var escaped = false;
        var container = first is '{' or '[';
        var isString = first == '"';
        while (true)
        {
            while (_position + scanned < _length)
            {
                var b = _buffer[_position + scanned];
                scanned++;
                if (inString)
                {
                    if (escaped)
                        escaped = false;
                    else if (b == '\\')
                        escaped = true;
                    else if (b == '"')
                    {
                        inString = false;
                        if (isString)
                            return Take(scanned);
                    }
                    continue;
                }
                if (b == '"')
                {
                    inString = true;
                    continue;
                }
                if (container)
                {
                    if (b is (byte)'{' or (byte)'[')
                        depth++;
                    else if (b is (byte)'}' or (byte)']' && --depth == 0)
                        return Take(scanned);
                }
                else if (b is (byte)',' or (byte)'}' or (byte)']' || IsWhitespace(b))
                    return Take(scanned - 1);
            }
            if (!await FillAsync(ct))
            {
                if (!container && !isString && scanned > 0)
                    return Take(scanned);
                throw Malformed("the file ends inside a value");
            }
        }
    }

    /// <summary>Skips the next value whatever its size.</summary>
    public async ValueTask SkipValueAsync(CancellationToken ct) => await ReadValueAsync(ct);

    public InvalidDataException Malformed(string what) => new($"Not a complete JSON file: {what} (at byte {Offset}).");

    private ReadOnlyMemory<byte> Take(int count)
    {
        var slice = new ReadOnlyMemory<byte>(_buffer, _position, count);
        Advance(count);
        return slice;
    }

    private void Advance(int count)
    {
        _position += count;
        Offset += count;
    }

    /// <summary>Reads more of the stream, keeping the unconsumed tail; grows the buffer when the tail fills it.</summary>
    private async ValueTask<bool> FillAsync(CancellationToken ct)
    {
        if (_ended)
            return false;
        var tail = _length - _position;
        if (tail > 0 && _position > 0)
            Buffer.BlockCopy(_buffer, _position, _buffer, 0, tail);
        _position = 0;
        _length = tail;
        if (_length == _buffer.Length)
            Array.Resize(ref _buffer, _buffer.Length * 2);
        var read = await stream.ReadAsync(_buffer.AsMemory(_length), ct);
        if (read == 0)
        {
            _ended = true;
            return false;
        }
        _length += read;
        return true;
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
}
