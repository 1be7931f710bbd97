using Catalyst.Data.Assets;
using Catalyst.Data.Common;
using Catalyst.Data.LegacyImport.Reading;
using Catalyst.Data.Storage;

namespace Catalyst.Data.LegacyImport.Mapping;

/// <summary>
/// kijko_db assets (files of projects) become assets of the migrating user, 50 to a transaction:
/// bytes stored and checked first, then each asset charged to the user's quota; an asset past the
/// quota fails alone and the rest of its batch lands.
/// </summary>
internal sealed class LegacyProjectAssetMapper(CatalystDbContext db, AssetService assets, LegacyBlobWriter blobs, LegacyImportLedger ledger)
{
    private const int AssetBatch = 50;

    public async Task MapAsync(IReadOnlyList<LegacyRow> rows, CancellationToken ct)
    {
        var batch = new List<LegacyRow>();
        foreach (var row in rows)
        {
            if (ledger.Existing(row) is { } done)
            {
                ledger.Count(row, done.Outcome, done.Message);
                continue;
            }
            batch.Add(row);
            if (batch.Count == AssetBatch)
                await WriteAsync(batch, ct);
        }
        if (batch.Count > 0)
            await WriteAsync(batch, ct);
    }

    private async Task WriteAsync(List<LegacyRow> batch, CancellationToken ct)
    {
        var apply = ledger.Apply;
        var stored = apply ? await blobs.StoreAsync(batch, "file", "blob", ct) : new Dictionary<LegacyRow, BlobInfo?>();
        await using var tx = apply ? await db.Database.BeginTransactionAsync(ct) : null;
        foreach (var row in batch)
        {
            var legacy = LegacyValues.AsObject(row.Value);
            var bytes = LegacyBlobWriter.BytesOf(row, "file", "blob");
            if (bytes is null || (apply && stored.GetValueOrDefault(row) is null))
            {
                ledger.Count(row, LegacyOutcome.Failed, bytes is null ? $"The asset has no bytes (upload status: {LegacyValues.Text(legacy, "uploadStatus") ?? "unknown"})." : "The bytes did not hash as read.");
                continue;
            }
            Guid? projectId = null;
            if (LegacyValues.Text(legacy, "projectId") is { Length: > 0 } projectKey)
            {
                if (ledger.ProjectOrSession("projects", projectKey) is { } target && Guid.TryParse(target, out var p))
                    projectId = p;
                else
                    ledger.Problem(row, $"Its project ({projectKey}) is missing: the asset is imported without a project.");
            }
            var id = apply ? Guid.CreateVersion7() : Guid.NewGuid();
            var sha = apply ? stored[row]!.Sha256 : null;
            if (apply)
            {
                try
                {
                    await assets.AddAsync(id, ledger.Owner.UserId, LegacyValues.Text(legacy, "name") ?? row.Key, LegacyValues.Text(legacy, "mimeType") ?? bytes.ContentType, stored[row]!, null, projectId, ct);
                }
                catch (QuotaExceededException quota)
                {
                    // A refused charge changes nothing: this asset fails, the batch goes on with those that fit.
                    ledger.Count(row, LegacyOutcome.Failed, quota.Message);
                    continue;
                }
            }
            ledger.Tally.BlobsImported++;
            ledger.Tally.BlobBytes += bytes.Bytes.Length;
            ledger.Land(row, LegacyTargetKinds.Asset, id.ToString(), sha256: sha, extra: LegacyValues.Rest(legacy, "id", "projectId", "name", "mimeType", "file").ToJsonString());
        }
        if (tx is not null)
        {
            db.Set<LegacySourceKey>().AddRange(ledger.Pending);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        ledger.ClearPending();
        batch.Clear();
    }
}
