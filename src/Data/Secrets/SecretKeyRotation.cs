using Catalyst.Data.Audit;
using Catalyst.Data.Common;
using Catalyst.Data.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Secrets;

public sealed record SecretKeySummary(string Id, SecretKeyStatus Status, DateTime CreatedAt, DateTime? RetiredAt, int Credentials);

public sealed record KeyRotationResult(string ActiveKeyId, int Reencrypted, IReadOnlyList<string> DeletedKeys);

/// <summary>
/// Data-key rotation without downtime: <see cref="StartAsync"/> makes a new key active (new
/// secrets use it at once) and marks the old ones retiring; the job (<see cref="RunAsync"/>)
/// re-encrypts every credential under the new key in small transactions while reads go on with
/// whichever key each row names; only then are the retiring keys deleted.
/// </summary>
public sealed class SecretKeyRotation(CatalystDbContext db, SecretKeyRing ring, SecretVault vault, JobRunService jobs, JobProgress progress,
    AuditLog audit, IOptions<SecretsOptions> options, TimeProvider time)
{
    public async Task<IReadOnlyList<SecretKeySummary>> ListAsync(CancellationToken ct) =>
        await db.Set<SecretKey>().AsNoTracking().OrderByDescending(k => k.CreatedAt)
            .Select(k => new SecretKeySummary(k.Id, k.Status, k.CreatedAt, k.RetiredAt, db.Set<Credential>().Count(c => c.KeyId == k.Id)))
            .ToListAsync(ct);

    public async Task<JobRun> StartAsync(Actor actor, CancellationToken ct)
    {
        if (!actor.IsAdmin)
            throw new ForbiddenException();
        var now = Clock.UtcNow(time);
        var previous = await db.Set<SecretKey>().Where(k => k.Status == SecretKeyStatus.Active).ToListAsync(ct);
        foreach (var key in previous)
        {
            key.Status = SecretKeyStatus.Retiring;
            key.RetiredAt = now;
        }
        var created = await ring.CreateAsync(db, ct);
        audit.Record(actor, "secret.key_rotate", nameof(SecretKey), created.Id, new { retiring = previous.Select(k => k.Id).ToList() });
        await db.SaveChangesAsync(ct);
        return await jobs.StartAsync(actor, SecretKeyRotationJob.Kind, new { keyId = created.Id }, ct);
    }

    /// <summary>The job: idempotent, so a retried or restarted rotation just finishes the work.</summary>
    public async Task<KeyRotationResult> RunAsync(Guid jobRunId, CancellationToken ct)
    {
        var total = await db.Set<Credential>().CountAsync(ct);
        var (activeId, _) = await ring.ActiveKeyAsync(db, ct);
        var pending = await db.Set<Credential>().CountAsync(c => c.KeyId != activeId, ct);
        await progress.ReportAsync(jobRunId, total - pending, total, ct, force: true);
        var reencrypted = 0;
        while (true)
        {
            var (seen, done) = await vault.ReencryptBatchAsync(options.Value.RotationBatchSize, ct);
            if (seen == 0)
                break;
            reencrypted += done;
            await progress.ReportAsync(jobRunId, Math.Min(total, total - pending + reencrypted), total, ct);
        }

        // Only keys no credential uses any more go; the foreign key refuses anything else.
        (activeId, _) = await ring.ActiveKeyAsync(db, ct);
        var retiring = await db.Set<SecretKey>()
            .Where(k => k.Status == SecretKeyStatus.Retiring && k.Id != activeId && !db.Set<Credential>().Any(c => c.KeyId == k.Id))
            .Select(k => k.Id).ToListAsync(ct);
        var deleted = new List<string>();
        foreach (var id in retiring)
        {
            try
            {
                if (await db.Set<SecretKey>().Where(k => k.Id == id && k.Status == SecretKeyStatus.Retiring && !db.Set<Credential>().Any(c => c.KeyId == k.Id))
                        .ExecuteDeleteAsync(ct) == 1)
                    deleted.Add(id);
            }
            catch (System.Data.Common.DbException)
            {
                // A credential was written under this key a moment ago; the next rotation takes it.
            }
        }
        audit.RecordSystem("secret.key_retire", nameof(SecretKey), activeId, new { reencrypted, deleted });
        await db.SaveChangesAsync(ct);
        return new KeyRotationResult(activeId, reencrypted, deleted);
    }
}
