using System.Security.Cryptography;
using System.Text;
using Catalyst.Data.Audit;
using Catalyst.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Secrets;

/// <summary>A credential in the admins' overview: its owner and masked form, never its value.</summary>
public sealed record CredentialListing(Guid Id, string Name, string Masked, string KeyId, string OwnerType, Guid OwnerId, DateTime UpdatedAt, DateTime? LastReadAt);

/// <summary>A ciphertext failed its integrity check: it was changed, or moved to another row.</summary>
public sealed class SecretTamperedException(Guid credentialId)
    : DomainException("secret_unreadable", $"The credential {credentialId} failed its integrity check and cannot be read.");

/// <summary>
/// The one way secrets are written and read (SPEC §14). Envelope encryption: each value is sealed
/// with AES-256-GCM under a data key of the <see cref="SecretKeyRing"/>, the data keys are wrapped by
/// the master key, and the key id travels with every ciphertext. The credential's id and key id are
/// the associated data, so a ciphertext copied to another row or relabelled with another key does
/// not open. The plain value leaves only through <see cref="RevealAsync"/>, which audits every read.
/// </summary>
public sealed class SecretVault(CatalystDbContext db, SecretKeyRing ring, AuditLog audit, TimeProvider time)
{
    public const int MaxValueLength = 8192;
    private const byte Format = 1;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private const int HeaderLength = 1 + NonceLength + TagLength;

    /// <summary>Refuses values no credential can be: empty, too long, or with control characters.</summary>
    public static void Validate(string? value, string field = "value")
    {
        if (string.IsNullOrEmpty(value))
            throw ValidationFailedException.For(field, "The credential must not be empty.");
        if (value.Length > MaxValueLength)
            throw ValidationFailedException.For(field, $"The credential must be at most {MaxValueLength} characters.");
        if (value.Any(char.IsControl))
            throw ValidationFailedException.For(field, "The credential must not contain control characters or line breaks.");
    }

    /// <summary>Every credential (admins' overview), newest first.</summary>
    public async Task<IReadOnlyList<CredentialListing>> ListAsync(int max, CancellationToken ct) =>
        (await db.Set<Credential>().AsNoTracking().OrderByDescending(c => c.UpdatedAt).Take(max).ToListAsync(ct))
            .Select(c => new CredentialListing(c.Id, c.Name, c.Masked, c.KeyId, c.McpServerId is null ? "DeploymentConfig" : "McpServer",
                c.McpServerId ?? c.DeploymentConfigId!.Value, c.UpdatedAt, c.LastReadAt)).ToList();

    /// <summary>The owner's credential (without its value), or null.</summary>
    public Task<Credential?> FindAsync(CredentialOwner owner, CancellationToken ct) =>
        db.Set<Credential>().AsNoTracking()
            .FirstOrDefaultAsync(c => owner.McpServerId != null ? c.McpServerId == owner.McpServerId : c.DeploymentConfigId == owner.DeploymentConfigId, ct);

    /// <summary>
    /// Attaches or replaces (rotates) the owner's credential, under the active data key. The change
    /// and its audit entry join the caller's unit of work: the caller saves.
    /// </summary>
    public async Task<Credential> SetAsync(Actor actor, CredentialOwner owner, string name, string value, CancellationToken ct)
    {
        Validate(value);
        var (keyId, key) = await ring.ActiveKeyAsync(db, ct);
        var credential = await db.Set<Credential>()
            .FirstOrDefaultAsync(c => owner.McpServerId != null ? c.McpServerId == owner.McpServerId : c.DeploymentConfigId == owner.DeploymentConfigId, ct);
        var replaced = credential is not null;
        if (credential is null)
        {
            credential = new Credential
            {
                Id = Guid.CreateVersion7(),
                Name = name,
                McpServerId = owner.McpServerId,
                DeploymentConfigId = owner.DeploymentConfigId,
                Ciphertext = [],
                KeyId = keyId,
            };
            db.Set<Credential>().Add(credential);
        }
        credential.Name = name;
        credential.KeyId = keyId;
        credential.Ciphertext = Seal(key, keyId, credential.Id, value);
        credential.Hint = SecretMask.HintOf(value);
        audit.Record(actor, replaced ? "secret.rotate" : "secret.write", nameof(Credential), credential.Id,
            new { name, owner = owner.EntityType, ownerId = owner.EntityId, keyId });
        return credential;
    }

    /// <summary>Removes the owner's credential, if any (the caller saves).</summary>
    public async Task RemoveAsync(Actor actor, CredentialOwner owner, CancellationToken ct)
    {
        var credential = await db.Set<Credential>()
            .FirstOrDefaultAsync(c => owner.McpServerId != null ? c.McpServerId == owner.McpServerId : c.DeploymentConfigId == owner.DeploymentConfigId, ct);
        if (credential is null)
            return;
        db.Set<Credential>().Remove(credential);
        audit.Record(actor, "secret.delete", nameof(Credential), credential.Id, new { credential.Name, owner = owner.EntityType, ownerId = owner.EntityId });
    }

    /// <summary>
    /// The plain value, for the code that uses it (a delivery, a connection test) and nothing else.
    /// Every read is audited with its purpose, saved at once; <paramref name="actor"/> null is the system.
    /// </summary>
    public async Task<string> RevealAsync(Guid credentialId, string purpose, Actor? actor, CancellationToken ct)
    {
        var credential = await db.Set<Credential>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == credentialId, ct)
            ?? throw new NotFoundException("Credential");
        var value = Open(credential, await ring.KeyAsync(db, credential.KeyId, ct));
        var details = new { credential.Name, purpose, keyId = credential.KeyId };
        if (actor is null)
            audit.RecordSystem("secret.read", nameof(Credential), credential.Id, details);
        else
            audit.Record(actor, "secret.read", nameof(Credential), credential.Id, details);
        await db.SaveChangesAsync(ct);
        var now = Clock.UtcNow(time);
        await db.Set<Credential>().Where(c => c.Id == credentialId).ExecuteUpdateAsync(s => s.SetProperty(c => c.LastReadAt, now), ct);
        return value;
    }

    /// <summary>
    /// One step of a key rotation: re-encrypts up to <paramref name="batchSize"/> credentials that are
    /// not under the active key (none seen: the rotation is complete). Each row changes in one update guarded by its version, so a reader
    /// always finds a ciphertext and the key it names, and a concurrent write of a new value wins.
    /// </summary>
    public async Task<(int Seen, int Reencrypted)> ReencryptBatchAsync(int batchSize, CancellationToken ct)
    {
        var (activeId, activeKey) = await ring.ActiveKeyAsync(db, ct);
        var batch = await db.Set<Credential>().Where(c => c.KeyId != activeId).OrderBy(c => c.Id).Take(batchSize).ToListAsync(ct);
        var done = 0;
        foreach (var credential in batch)
        {
            var value = Open(credential, await ring.KeyAsync(db, credential.KeyId, ct));
            credential.Ciphertext = Seal(activeKey, activeId, credential.Id, value);
            credential.KeyId = activeId;
            try
            {
                await db.SaveChangesAsync(ct);
                done++;
            }
            catch (DbUpdateConcurrencyException)
            {
                // Rewritten or removed meanwhile: whoever did it used the active key.
                db.ChangeTracker.Clear();
            }
        }
        db.ChangeTracker.Clear();
        return (batch.Count, done);
    }

    internal static byte[] Seal(byte[] key, string keyId, Guid credentialId, string value)
    {
        var plain = Encoding.UTF8.GetBytes(value);
        var output = new byte[HeaderLength + plain.Length];
        output[0] = Format;
        RandomNumberGenerator.Fill(output.AsSpan(1, NonceLength));
        using var aes = new AesGcm(key, TagLength);
        aes.Encrypt(output.AsSpan(1, NonceLength), plain, output.AsSpan(HeaderLength), output.AsSpan(1 + NonceLength, TagLength), Aad(credentialId, keyId));
        CryptographicOperations.ZeroMemory(plain);
        return output;
    }

    internal static string Open(Credential credential, byte[] key)
    {
        var sealedValue = credential.Ciphertext;
        if (sealedValue.Length < HeaderLength || sealedValue[0] != Format)
            throw new SecretTamperedException(credential.Id);
        var plain = new byte[sealedValue.Length - HeaderLength];
        try
        {
            using var aes = new AesGcm(key, TagLength);
            aes.Decrypt(sealedValue.AsSpan(1, NonceLength), sealedValue.AsSpan(HeaderLength), sealedValue.AsSpan(1 + NonceLength, TagLength), plain,
                Aad(credential.Id, credential.KeyId));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new SecretTamperedException(credential.Id);
        }
        var value = Encoding.UTF8.GetString(plain);
        CryptographicOperations.ZeroMemory(plain);
        return value;
    }

    private static byte[] Aad(Guid credentialId, string keyId) => Encoding.UTF8.GetBytes($"catalyst-credential:v1:{credentialId:N}:{keyId}");
}
