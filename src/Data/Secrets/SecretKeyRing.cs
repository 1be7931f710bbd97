using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Catalyst.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Data.Secrets;

/// <summary>The master key could not open a data key: a wrong master key, or a damaged key row.</summary>
public sealed class SecretKeyUnavailableException(string message) : Exception(message);

/// <summary>
/// The vault's data keys: created and wrapped under the master key, unwrapped on first use and then
/// kept in memory for the life of the process (a data key is 32 bytes; the ring holds a handful).
/// </summary>
public sealed class SecretKeyRing(MasterKey master, IServiceScopeFactory scopes, TimeProvider time)
{
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private readonly ConcurrentDictionary<string, byte[]> _unwrapped = new(StringComparer.Ordinal);

    public string MasterKeyId => master.Id;

    /// <summary>The newest active key, created (in its own unit of work) when the ring is empty.</summary>
    public async Task<(string Id, byte[] Key)> ActiveKeyAsync(CatalystDbContext db, CancellationToken ct)
    {
        var active = await db.Set<SecretKey>().AsNoTracking().Where(k => k.Status == SecretKeyStatus.Active)
            .OrderByDescending(k => k.CreatedAt).ThenByDescending(k => k.Id).FirstOrDefaultAsync(ct);
        if (active is null)
        {
            await using var scope = scopes.CreateAsyncScope();
            var own = scope.ServiceProvider.GetRequiredService<CatalystDbContext>();
            active = await CreateAsync(own, ct);
            await own.SaveChangesAsync(ct);
        }
        return (active.Id, Open(active));
    }

    /// <summary>The key named by a ciphertext.</summary>
    public async Task<byte[]> KeyAsync(CatalystDbContext db, string keyId, CancellationToken ct)
    {
        if (_unwrapped.TryGetValue(keyId, out var cached))
            return cached;
        var row = await db.Set<SecretKey>().AsNoTracking().FirstOrDefaultAsync(k => k.Id == keyId, ct)
            ?? throw new SecretKeyUnavailableException($"The data key {keyId} no longer exists.");
        return Open(row);
    }

    /// <summary>A new active data key, added to <paramref name="db"/> (the caller saves).</summary>
    public Task<SecretKey> CreateAsync(CatalystDbContext db, CancellationToken ct)
    {
        var id = "k-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var key = RandomNumberGenerator.GetBytes(MasterKey.Length);
        var nonce = RandomNumberGenerator.GetBytes(NonceLength);
        var wrapped = new byte[NonceLength + TagLength + key.Length];
        using (var aes = new AesGcm(master.Key, TagLength))
            aes.Encrypt(nonce, key, wrapped.AsSpan(NonceLength + TagLength), wrapped.AsSpan(NonceLength, TagLength), Aad(id));
        nonce.CopyTo(wrapped, 0);
        var row = new SecretKey
        {
            Id = id,
            Status = SecretKeyStatus.Active,
            WrappedKey = wrapped,
            MasterKeyId = master.Id,
            CreatedAt = Clock.UtcNow(time),
        };
        db.Set<SecretKey>().Add(row);
        _unwrapped[id] = key;
        return Task.FromResult(row);
    }

    /// <summary>Unwraps a key with the master key; the answer says plainly when the master key is the wrong one.</summary>
    public byte[] Open(SecretKey row)
    {
        if (_unwrapped.TryGetValue(row.Id, out var cached))
            return cached;
        if (row.MasterKeyId != master.Id)
            throw new SecretKeyUnavailableException(
                $"The data key {row.Id} was wrapped by master key {row.MasterKeyId}, but the configured master key is {master.Id}.");
        var wrapped = row.WrappedKey;
        if (wrapped.Length != NonceLength + TagLength + MasterKey.Length)
            throw new SecretKeyUnavailableException($"The data key {row.Id} is damaged.");
        var key = new byte[MasterKey.Length];
        try
        {
            using var aes = new AesGcm(master.Key, TagLength);
            aes.Decrypt(wrapped.AsSpan(0, NonceLength), wrapped.AsSpan(NonceLength + TagLength), wrapped.AsSpan(NonceLength, TagLength), key, Aad(row.Id));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new SecretKeyUnavailableException($"The data key {row.Id} does not open with the configured master key {master.Id}: the key or the row is damaged.");
        }
        _unwrapped[row.Id] = key;
        return key;
    }

    private static byte[] Aad(string keyId) => Encoding.UTF8.GetBytes("catalyst-secret-key:v1:" + keyId);
}
