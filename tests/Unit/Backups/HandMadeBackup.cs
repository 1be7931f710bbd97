using System.IO.Compression;
using System.Text;

namespace Catalyst.Tests.Unit.Backups;

/// <summary>
/// Website backups written by hand (docs/backup-format.md) for what no export makes: items
/// larger than any server accepts, thousands of items, gzip bombs. One content type, <c>page</c>
/// (a title and a list of references); no data sections, no assets. Item data is written from
/// UTF-8 pieces, so a huge item never has to exist whole in the test.
/// </summary>
internal sealed class HandMadeBackup(Guid websiteId, string slug)
{
    /// <summary>The id of the one content type (ids are the backup's own, so each backup has its own).</summary>
    public Guid PageType { get; } = Guid.CreateVersion7();

    public Guid WebsiteId => websiteId;

    /// <summary>One item: its id and its data as pieces of JSON text written one after another.</summary>
    public sealed record Item(Guid Id, IEnumerable<ReadOnlyMemory<byte>> Data);

    public static Item Small(Guid id, string data) => new(id, [Encoding.UTF8.GetBytes(data)]);

    public async Task WriteAsync(Stream output, IEnumerable<Item> items, CancellationToken ct)
    {
        async Task Text(string text) => await output.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
        await Text($$"""
            {"format":"catalyst.website-backup","formatVersion":1,"producer":"hand-made","exportedAt":"2026-01-01T00:00:00Z",
            "website":{"id":"{{websiteId}}","name":"Hand made","slug":"{{slug}}","description":null,"category":null,"metadata":{},"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"},
            "contentTypes":[{"id":"{{PageType}}","name":"Page","slug":"page","fields":[{"name":"title","type":"text"},{"name":"related","type":"list","of":"reference"}]}],
            "contentItems":[
            """);
        var first = true;
        foreach (var item in items)
        {
            await Text($$"""{{(first ? "" : ",")}}{"id":"{{item.Id}}","contentTypeId":"{{PageType}}","status":"published","data":""");
            foreach (var piece in item.Data)
                await output.WriteAsync(piece, ct);
            await Text(""","createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"}""");
            first = false;
        }
        await Text("""
            ],"dataInfo":{"version":0,"sha256":{"content":null,"assets":null,"aiContext":null},"length":{"content":null,"assets":null,"aiContext":null}},
            "data":{"content":null,"assets":null,"aiContext":null},"assets":[],"deploymentConfigs":[]}
            """);
    }

    public async Task<byte[]> ToBytesAsync(IEnumerable<Item> items, bool gzip, CancellationToken ct)
    {
        var buffer = new MemoryStream();
        if (gzip)
        {
            await using var zipped = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true);
            await WriteAsync(zipped, items, ct);
        }
        else
        {
            await WriteAsync(buffer, items, ct);
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// An item whose data is <paramref name="megabytes"/> MB of JSON: one string of that length
    /// (one token), or a list of that many bytes of zeros (millions of small tokens).
    /// </summary>
    public static Item Huge(Guid id, int megabytes, bool oneToken)
    {
        var piece = Encoding.UTF8.GetBytes(oneToken ? new string('x', 1 << 20) : string.Concat(Enumerable.Repeat("0,", 1 << 19)));
        IEnumerable<ReadOnlyMemory<byte>> Pieces()
        {
            yield return Encoding.UTF8.GetBytes(oneToken ? "{\"title\":\"huge\",\"body\":\"" : "{\"title\":\"huge\",\"body\":[");
            for (var i = 0; i < megabytes; i++)
                yield return piece;
            yield return Encoding.UTF8.GetBytes(oneToken ? "\"}" : "0]}");
        }
        return new Item(id, Pieces());
    }

    private static readonly Dictionary<bool, Task<byte[]>> HugeItems = [];

    /// <summary>The attack of issue 17: a .json.gz of about 400 KB declaring 16 content items of 24 MB each (made once per shape).</summary>
    public static Task<byte[]> SixteenItemsOf24MBAsync(bool oneToken)
    {
        lock (HugeItems)
        {
            if (!HugeItems.TryGetValue(oneToken, out var made))
                HugeItems[oneToken] = made = Task.Run(() => new HandMadeBackup(Guid.CreateVersion7(), "huge-" + Guid.NewGuid().ToString("N")[..8])
                    .ToBytesAsync(Enumerable.Range(0, 16).Select(_ => Huge(Guid.CreateVersion7(), 24, oneToken)), gzip: true, CancellationToken.None));
            return made;
        }
    }
}
