using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Catalyst.Data.LegacyImport.Reading;
using Catalyst.Data.Storage;

namespace Catalyst.Data.LegacyImport.Mapping;

/// <summary>
/// The bytes of a run that go to the content store: the blobs rows carry (checked against the
/// SHA-256 of the bytes read) and the JSON documents of website data sections. Written outside the
/// unit's transaction: unreferenced until it commits, garbage if it never does.
/// </summary>
internal sealed class LegacyBlobWriter(ContentStore content, LegacyImportLedger ledger)
{
    /// <summary>The row's blob at the first of <paramref name="paths"/> that has one, or its only blob.</summary>
    public static LegacyBlob? BytesOf(LegacyRow row, params string[] paths) =>
        paths.Select(p => row.Blobs.FirstOrDefault(b => b.Path == p)).FirstOrDefault(b => b is not null) ?? (row.Blobs.Count == 1 ? row.Blobs[0] : null);

    /// <summary>Writes each row's bytes to the store and checks the stored SHA-256 against the bytes read; null where that fails.</summary>
    public async Task<Dictionary<LegacyRow, BlobInfo?>> StoreAsync(IReadOnlyList<LegacyRow> rows, string path, string alternative, CancellationToken ct)
    {
        var result = new Dictionary<LegacyRow, BlobInfo?>(ReferenceEqualityComparer.Instance);
        foreach (var row in rows)
        {
            if (BytesOf(row, path, alternative) is not { } blob)
            {
                result[row] = null;
                continue;
            }
            var expected = Convert.ToHexStringLower(SHA256.HashData(blob.Bytes.Span));
            using var stream = MemoryMarshal.TryGetArray(blob.Bytes, out var segment)
                ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
                : new MemoryStream(blob.Bytes.ToArray(), writable: false);
            var stored = await content.WriteAsync(stream, ct);
            if (stored.Sha256 != expected || stored.Length != blob.Bytes.Length)
            {
                ledger.Problem(row, $"Stored bytes hash {stored.Sha256}, read {expected}.");
                result[row] = null;
                continue;
            }
            result[row] = stored;
        }
        return result;
    }

    public async Task<BlobInfo> WriteJsonAsync(JsonObject document, CancellationToken ct)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(document.ToJsonString()), writable: false);
        return await content.WriteAsync(stream, ct);
    }
}
