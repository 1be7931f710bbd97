using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using Catalyst.Data.Common;
using Catalyst.Data.Websites;

namespace Catalyst.Data.Backups;

/// <summary>What a backup contains, in the order the reader meets it.</summary>
public interface IBackupVisitor
{
    ValueTask HeaderAsync(string format, int formatVersion, CancellationToken ct);
    ValueTask WebsiteAsync(BackupWebsite website, CancellationToken ct);
    ValueTask ContentTypeAsync(BackupContentType type, CancellationToken ct);
    /// <summary>One content item; its <see cref="BackupContentItem.Data"/> lies over the reader's buffer: valid only during the call.</summary>
    ValueTask ContentItemAsync(BackupContentItem item, CancellationToken ct);
    ValueTask DataInfoAsync(BackupDataInfo info, CancellationToken ct);
    ValueTask SectionBeginAsync(string section, CancellationToken ct);
    ValueTask SectionBytesAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct);
    ValueTask SectionEndAsync(bool isNull, CancellationToken ct);
    ValueTask AssetBeginAsync(BackupAsset asset, CancellationToken ct);
    ValueTask AssetBytesAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct);
    ValueTask AssetEndAsync(CancellationToken ct);
    ValueTask DeploymentConfigAsync(BackupDeploymentConfig config, CancellationToken ct);
}

/// <summary>
/// Reads a website backup as a stream with <see cref="Utf8JsonReader"/> over a sliding buffer:
/// small parts (website, content model) are captured and deserialized one at a time, data
/// sections are handed to the visitor byte for byte, and asset bytes are decoded from their
/// base64 pieces as they arrive. No part larger than one token (or one small part) is held in
/// memory, and a small part (a content item with its data, a content type…) larger than
/// <c>maxPartBytes</c> is refused as soon as that many bytes of it went by, whatever the part
/// declares or the compression hides (SPEC §16). Structural problems throw <see cref="BackupInvalidException"/>.
/// </summary>
public static class WebsiteBackupReader
{
    private const int InitialBuffer = 1 << 20;
    private const int MaxBuffer = 64 << 20;
    /// <summary>The default bound of one small part (<c>Catalyst:Websites:MaxBackupPartBytes</c>).</summary>
    public const long DefaultMaxPartBytes = 4L << 20;
    // A backup carries sections and values in its envelope: the document limit (SPEC §16), values are checked by the visitor.
    private static readonly JsonSerializerOptions Json = JsonLimits.Documents;
    private static readonly string[] Required = ["website", "contentTypes", "contentItems", "dataInfo", "data", "assets"];

    private enum Kind { Header, SmallStart, SmallEnd, SectionStart, SectionEnd, AssetBegin, AssetBytes, AssetEnd }

    private sealed record Event(Kind Kind, int Offset = 0, string? Name = null, bool IsNull = false, object? Value = null);

    public static async Task ReadAsync(Stream input, IBackupVisitor visitor, CancellationToken ct, long maxPartBytes = DefaultMaxPartBytes)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
        var state = new JsonReaderState(new JsonReaderOptions { MaxDepth = JsonLimits.DocumentDepth });
        var walk = new Walk();
        var length = 0;
        var eof = false;
        // Byte capture: a small part into memory, or a section to the visitor. One buffer serves
        // every small part of the backup, so thousands of items do not allocate thousands of buffers.
        var part = new ArrayBufferWriter<byte>();
        ArrayBufferWriter<byte>? small = null;
        string? smallKind = null;
        var sectionOpen = false;
        var sectionNull = false;
        var captureFrom = 0;
        try
        {
            while (true)
            {
                if (!eof && length < buffer.Length)
                {
                    var read = await input.ReadAsync(buffer.AsMemory(length), ct);
                    eof = read == 0;
                    length += read;
                }
                (int Consumed, JsonReaderState State, List<Event> Events) scan;
                try
                {
                    scan = walk.Scan(buffer.AsSpan(0, length), eof, state);
                }
                catch (JsonException ex)
                {
                    var detail = ex.Message.Split(" LineNumber", 2)[0];
                    throw new BackupInvalidException(eof && length - (int)Math.Min(length, ex.BytePositionInLine ?? 0) < 64 * 1024
                        ? "The backup ends early (truncated file?): " + detail
                        : "The backup is not valid JSON: " + detail);
                }
                state = scan.State;
                foreach (var e in scan.Events)
                {
                    switch (e.Kind)
                    {
                        case Kind.Header:
                            await visitor.HeaderAsync(e.Name!, (int)e.Value!, ct);
                            break;
                        case Kind.SmallStart:
                            part.ResetWrittenCount();
                            small = part;
                            smallKind = e.Name;
                            captureFrom = e.Offset;
                            break;
                        case Kind.SmallEnd:
                            if (small!.WrittenCount + e.Offset - captureFrom > maxPartBytes)
                                throw PartTooLarge(smallKind!, maxPartBytes);
                            small.Write(buffer.AsSpan(captureFrom, e.Offset - captureFrom));
                            await DispatchSmallAsync(smallKind!, small.WrittenMemory, visitor, ct);
                            small = null;
                            break;
                        case Kind.SectionStart:
                            await visitor.SectionBeginAsync(e.Name!, ct);
                            sectionOpen = true;
                            sectionNull = e.IsNull;
                            captureFrom = e.Offset;
                            break;
                        case Kind.SectionEnd:
                            if (!sectionNull)
                                await visitor.SectionBytesAsync(buffer.AsMemory(captureFrom, e.Offset - captureFrom), ct);
                            await visitor.SectionEndAsync(sectionNull, ct);
                            sectionOpen = false;
                            break;
                        case Kind.AssetBegin:
                            await visitor.AssetBeginAsync((BackupAsset)e.Value!, ct);
                            break;
                        case Kind.AssetBytes:
                            await visitor.AssetBytesAsync((byte[])e.Value!, ct);
                            break;
                        case Kind.AssetEnd:
                            await visitor.AssetEndAsync(ct);
                            break;
                    }
                }
                var consumed = scan.Consumed;
                if (small is not null && consumed > captureFrom)
                {
                    small.Write(buffer.AsSpan(captureFrom, consumed - captureFrom));
                    if (small.WrittenCount > maxPartBytes)
                        throw PartTooLarge(smallKind!, maxPartBytes);
                    captureFrom = consumed;
                }
                if (sectionOpen && consumed > captureFrom)
                {
                    if (!sectionNull)
                        await visitor.SectionBytesAsync(buffer.AsMemory(captureFrom, consumed - captureFrom), ct);
                    captureFrom = consumed;
                }

                if (walk.Finished)
                {
                    if (buffer.AsSpan(consumed, length - consumed).TrimStart(" \t\r\n"u8).Length > 0)
                        throw new BackupInvalidException("There is data after the backup's JSON object.");
                    foreach (var required in Required)
                    {
                        if (!walk.Seen.Contains(required))
                            throw new BackupInvalidException($"The backup has no '{required}'.");
                    }
                    return;
                }
                if (consumed == 0 && length == buffer.Length)
                {
                    // One token fills the buffer: inside a small part it counts against the part's bound before the buffer grows for it.
                    if (small is not null && small.WrittenCount + length - captureFrom > maxPartBytes)
                        throw PartTooLarge(smallKind!, maxPartBytes);
                    if (buffer.Length >= MaxBuffer)
                        throw new BackupInvalidException($"A single JSON token is larger than {MaxBuffer} bytes.");
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                else if (consumed > 0)
                {
                    buffer.AsSpan(consumed, length - consumed).CopyTo(buffer);
                    length -= consumed;
                    captureFrom = Math.Max(0, captureFrom - consumed);
                }
                else if (eof)
                {
                    throw new BackupInvalidException("The backup ends early (truncated file?).");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static BackupInvalidException PartTooLarge(string kind, long maxPartBytes) => new(
        $"A part of '{kind}' is larger than {(maxPartBytes % (1 << 20) == 0 ? $"{maxPartBytes >> 20} MiB" : $"{maxPartBytes} bytes")}, the most one part may hold (Catalyst:Websites:MaxBackupPartBytes).");

    private static async Task DispatchSmallAsync(string kind, ReadOnlyMemory<byte> json, IBackupVisitor visitor, CancellationToken ct)
    {
        switch (kind)
        {
            case "website": await visitor.WebsiteAsync(Parse<BackupWebsite>(json, "website"), ct); break;
            case "dataInfo": await visitor.DataInfoAsync(Parse<BackupDataInfo>(json, "dataInfo"), ct); break;
            case "contentTypes": await visitor.ContentTypeAsync(Parse<BackupContentType>(json, "content type"), ct); break;
            case "contentItems": await DispatchItemAsync(json, visitor, ct); break;
            case "deploymentConfigs": await visitor.DeploymentConfigAsync(Parse<BackupDeploymentConfig>(json, "deployment config"), ct); break;
        }
    }

    /// <summary>The item's fields without its data, which may be large.</summary>
    private sealed record ItemHead(Guid Id, Guid ContentTypeId, string Status, DateTime CreatedAt, DateTime UpdatedAt);

    /// <summary>
    /// A content item whose data is read in place: the item's data element lies over the captured
    /// bytes (no copy of what may be megabytes), so it is valid only while the visitor runs.
    /// </summary>
    private static async Task DispatchItemAsync(ReadOnlyMemory<byte> json, IBackupVisitor visitor, CancellationToken ct)
    {
        var head = Parse<ItemHead>(json, "content item");
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = JsonLimits.DocumentDepth });
        var data = document.RootElement.EnumerateObject().FirstOrDefault(p => p.NameEquals("data") || string.Equals(p.Name, "data", StringComparison.OrdinalIgnoreCase)).Value;
        await visitor.ContentItemAsync(new BackupContentItem(head.Id, head.ContentTypeId, head.Status, data, head.CreatedAt, head.UpdatedAt), ct);
    }

    private static T Parse<T>(ReadOnlyMemory<byte> json, string what)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json.Span, Json) ?? throw new BackupInvalidException($"A {what} is empty.");
        }
        catch (JsonException ex)
        {
            throw new BackupInvalidException($"A {what} is not valid: {ex.Message.Split(" Path:", 2)[0]}");
        }
    }

    /// <summary>The structure: which part each token belongs to. Emits events with buffer offsets.</summary>
    private sealed class Walk
    {
        private bool _started;
        private string? _top;
        private string? _section;
        private string? _assetProperty;
        private readonly Dictionary<string, JsonElement> _assetFields = [];
        private string? _format;
        private int? _formatVersion;
        private bool _headerDone;
        private bool _inSmall;
        private int _smallDepth;
        private bool _inSection;

        public HashSet<string> Seen { get; } = [];
        public bool Finished { get; private set; }

        public (int Consumed, JsonReaderState State, List<Event> Events) Scan(ReadOnlySpan<byte> data, bool final, JsonReaderState state)
        {
            var events = new List<Event>();
            var reader = new Utf8JsonReader(data, final, state);
            while (reader.Read())
            {
                var depth = reader.CurrentDepth;
                var token = reader.TokenType;
                if (!_started)
                {
                    if (token != JsonTokenType.StartObject)
                        throw new BackupInvalidException("A backup is a JSON object.");
                    _started = true;
                    continue;
                }
                if (_inSmall)
                {
                    if (depth == _smallDepth && token is JsonTokenType.EndObject or JsonTokenType.EndArray)
                    {
                        events.Add(new Event(Kind.SmallEnd, (int)reader.BytesConsumed));
                        _inSmall = false;
                    }
                    continue;
                }
                if (_inSection)
                {
                    if (depth == 2 && token is JsonTokenType.EndObject or JsonTokenType.EndArray)
                    {
                        events.Add(new Event(Kind.SectionEnd, (int)reader.BytesConsumed));
                        _inSection = false;
                    }
                    continue;
                }
                if (depth == 0 && token == JsonTokenType.EndObject)
                {
                    Header(events);
                    Finished = true;
                    return ((int)reader.BytesConsumed, reader.CurrentState, events);
                }
                if (depth == 1 && token == JsonTokenType.PropertyName)
                {
                    _top = reader.GetString()!;
                    if (!Seen.Add(_top))
                        throw new BackupInvalidException($"The property '{_top}' appears twice.");
                    if (_top is not ("format" or "formatVersion" or "producer" or "exportedAt"))
                        Header(events);
                    continue;
                }
                if (depth == 1 && token is JsonTokenType.EndArray or JsonTokenType.EndObject)
                    continue; // the end of a top-level array or of data
                if (depth == 1)
                {
                    switch (_top)
                    {
                        case "format":
                            _format = token == JsonTokenType.String ? reader.GetString() : throw new BackupInvalidException("format must be a string.");
                            break;
                        case "formatVersion":
                            _formatVersion = token == JsonTokenType.Number && reader.TryGetInt32(out var v) ? v : throw new BackupInvalidException("formatVersion must be an integer.");
                            break;
                        case "producer" or "exportedAt":
                            if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
                                throw new BackupInvalidException($"'{_top}' must be a string.");
                            break;
                        case "website" or "dataInfo":
                            Expect(token, JsonTokenType.StartObject);
                            StartSmall(_top, depth, (int)reader.TokenStartIndex, events);
                            break;
                        case "data":
                            Expect(token, JsonTokenType.StartObject);
                            break;
                        case "contentTypes" or "contentItems" or "deploymentConfigs" or "assets":
                            Expect(token, JsonTokenType.StartArray);
                            break;
                        default:
                            throw new BackupInvalidException($"Unknown property '{_top}' in a format {BackupFormat.Version} backup.");
                    }
                    continue;
                }
                if (depth == 2 && _top is "contentTypes" or "contentItems" or "deploymentConfigs")
                {
                    if (token != JsonTokenType.StartObject)
                        throw new BackupInvalidException($"'{_top}' holds objects.");
                    StartSmall(_top, depth, (int)reader.TokenStartIndex, events);
                    continue;
                }
                if (_top == "data" && depth == 2)
                {
                    if (token == JsonTokenType.PropertyName)
                    {
                        _section = reader.GetString();
                        if (!WebsiteSections.IsKnown(_section!))
                            throw new BackupInvalidException($"'{_section}' is not a data section.");
                        continue;
                    }
                    events.Add(new Event(Kind.SectionStart, (int)reader.TokenStartIndex, _section, token == JsonTokenType.Null));
                    if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
                        _inSection = true;
                    else
                        events.Add(new Event(Kind.SectionEnd, (int)reader.BytesConsumed));
                    continue;
                }
                if (_top == "assets")
                {
                    ReadAsset(ref reader, depth, token, events);
                    continue;
                }
                throw new BackupInvalidException("Unexpected structure in the backup.");
            }
            return ((int)reader.BytesConsumed, reader.CurrentState, events);
        }

        private void ReadAsset(ref Utf8JsonReader reader, int depth, JsonTokenType token, List<Event> events)
        {
            if (depth == 2)
            {
                if (token == JsonTokenType.StartObject)
                    _assetFields.Clear();
                else if (token == JsonTokenType.EndObject)
                    events.Add(new Event(Kind.AssetEnd));
                else
                    throw new BackupInvalidException("'assets' holds objects.");
                return;
            }
            if (depth == 3 && token == JsonTokenType.PropertyName)
            {
                _assetProperty = reader.GetString();
                return;
            }
            if (depth == 3 && _assetProperty == "bytes")
            {
                if (token == JsonTokenType.StartArray)
                {
                    BackupAsset asset;
                    try
                    {
                        asset = JsonSerializer.SerializeToElement(_assetFields).Deserialize<BackupAsset>(Json)!;
                    }
                    catch (JsonException ex)
                    {
                        throw new BackupInvalidException("An asset is not valid: " + ex.Message.Split(" Path:", 2)[0]);
                    }
                    // Names are refused, not cleaned, wherever they come from (SPEC §16): the file names a user would misread too.
                    if (asset.FileName is { } fileName && PlainText.HasBidiControl(fileName))
                        throw new BackupInvalidException($"Asset {asset.Id} has a file name with bidirectional formatting characters (U+202A–U+202E, U+2066–U+2069).");
                    events.Add(new Event(Kind.AssetBegin, Value: asset));
                }
                else if (token != JsonTokenType.EndArray)
                {
                    throw new BackupInvalidException("An asset's bytes are an array of base64 strings.");
                }
                return;
            }
            if (depth == 3)
            {
                if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    throw new BackupInvalidException($"The asset field '{_assetProperty}' has the wrong type.");
                using var doc = JsonDocument.ParseValue(ref reader);
                _assetFields[_assetProperty!] = doc.RootElement.Clone();
                return;
            }
            if (depth == 4 && _assetProperty == "bytes" && token == JsonTokenType.String)
            {
                var text = reader.ValueIsEscaped ? System.Text.Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan.ToArray();
                var decoded = new byte[Base64.GetMaxDecodedFromUtf8Length(text.Length)];
                if (Base64.DecodeFromUtf8(text, decoded, out _, out var written) != OperationStatus.Done)
                    throw new BackupInvalidException("An asset's bytes are not valid base64.");
                events.Add(new Event(Kind.AssetBytes, Value: decoded.AsSpan(0, written).ToArray()));
                return;
            }
            throw new BackupInvalidException("Unexpected structure in 'assets'.");
        }

        private void StartSmall(string kind, int depth, int offset, List<Event> events)
        {
            _inSmall = true;
            _smallDepth = depth;
            events.Add(new Event(Kind.SmallStart, offset, kind));
        }

        private void Header(List<Event> events)
        {
            if (_headerDone)
                return;
            if (_format != BackupFormat.Name)
                throw new BackupInvalidException($"This is not a Catalyst website backup (format is '{_format ?? "missing"}', expected '{BackupFormat.Name}').");
            if (_formatVersion is null)
                throw new BackupInvalidException("The backup has no formatVersion.");
            if (_formatVersion > BackupFormat.Version)
                throw new BackupInvalidException($"The backup is format version {_formatVersion}; this server reads format version {BackupFormat.Version}. Upgrade Catalyst to import it.");
            if (_formatVersion < 1)
                throw new BackupInvalidException($"formatVersion {_formatVersion} is not valid.");
            _headerDone = true;
            events.Add(new Event(Kind.Header, Name: _format, Value: _formatVersion.Value));
        }

        private void Expect(JsonTokenType actual, JsonTokenType expected)
        {
            if (actual != expected)
                throw new BackupInvalidException($"'{_top}' must be {(expected == JsonTokenType.StartArray ? "an array" : "an object")}.");
        }
    }
}

/// <summary>The backup is damaged or not a backup this server can read; nothing was written.</summary>
public sealed class BackupInvalidException(string message) : DomainException("backup_invalid", message);
