using System.Text;
using Catalyst.Data;
using Catalyst.Data.Mcp;
using Catalyst.Data.Secrets;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Secrets;

/// <summary>The vault (SPEC §14): envelope encryption with key ids, integrity, audited reads.</summary>
public class SecretVaultTests(PortalFactory portal)
{
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>An MCP server holding a credential with <paramref name="value"/>; answers the credential's id.</summary>
    internal static async Task<Guid> StoreAsync(PortalFactory portal, TestUser admin, string value) =>
        await portal.WithScopeAsync(async sp =>
        {
            var server = await sp.GetRequiredService<McpServerService>().CreateAsync(admin.Actor,
                new McpServerInput($"Vault {Guid.NewGuid():N}", null, McpTransport.Http, "https://vault.example.com/mcp", null, null), value, None);
            return (await sp.GetRequiredService<SecretVault>().FindAsync(CredentialOwner.McpServer(server.Server.Id), None))!.Id;
        });

    private Task<string> RevealAsync(Guid credentialId, string purpose = "test") =>
        portal.WithScopeAsync(sp => sp.GetRequiredService<SecretVault>().RevealAsync(credentialId, purpose, null, None));

    [Fact]
    public async Task A_secret_round_trips_and_is_stored_only_as_ciphertext_under_a_named_key()
    {
        var admin = await portal.CreateUserAsync("vault", admin: true);
        var value = $"round-trip-{Guid.NewGuid():N}";

        var id = await StoreAsync(portal, admin, value);

        Assert.Equal(value, await RevealAsync(id));
        var (stored, activeKey) = await portal.WithDbAsync(async db => (
            await db.Set<Credential>().AsNoTracking().SingleAsync(c => c.Id == id, None),
            await db.Set<SecretKey>().AsNoTracking().Where(k => k.Status == SecretKeyStatus.Active).OrderByDescending(k => k.CreatedAt).Select(k => k.Id).FirstAsync(None)));
        Assert.StartsWith("k-", stored.KeyId, StringComparison.Ordinal);
        Assert.Equal(activeKey, stored.KeyId);
        Assert.DoesNotContain(value, Encoding.UTF8.GetString(stored.Ciphertext), StringComparison.Ordinal);
        Assert.Equal(1 + 12 + 16 + Encoding.UTF8.GetByteCount(value), stored.Ciphertext.Length);
        Assert.Equal(value[^4..], stored.Hint);
        Assert.Equal("••••••••" + value[^4..], stored.Masked);
        // Each write draws a fresh nonce: the same value twice is two different ciphertexts.
        var again = await StoreAsync(portal, admin, value);
        var other = await portal.WithDbAsync(db => db.Set<Credential>().AsNoTracking().Where(c => c.Id == again).Select(c => c.Ciphertext).SingleAsync(None));
        Assert.NotEqual(stored.Ciphertext, other);
    }

    [Fact]
    public async Task Short_values_show_no_characters_at_all()
    {
        var admin = await portal.CreateUserAsync("vault", admin: true);
        var id = await StoreAsync(portal, admin, "short-pin");

        var stored = await portal.WithDbAsync(db => db.Set<Credential>().AsNoTracking().SingleAsync(c => c.Id == id, None));

        Assert.Equal("", stored.Hint);
        Assert.Equal("••••••••", stored.Masked);
    }

    [Fact]
    public async Task A_tampered_ciphertext_is_refused()
    {
        var admin = await portal.CreateUserAsync("vault", admin: true);
        var id = await StoreAsync(portal, admin, "tamper-me-please-0000");
        await portal.WithDbAsync(async db =>
        {
            var credential = await db.Set<Credential>().SingleAsync(c => c.Id == id, None);
            var bytes = credential.Ciphertext.ToArray();
            bytes[^1] ^= 0x01;
            credential.Ciphertext = bytes;
            return await db.SaveChangesAsync(None);
        });

        var error = await Assert.ThrowsAsync<SecretTamperedException>(() => RevealAsync(id));

        Assert.Equal("secret_unreadable", error.Code);
    }

    [Fact]
    public async Task A_ciphertext_copied_onto_another_credential_does_not_open_there()
    {
        var admin = await portal.CreateUserAsync("vault", admin: true);
        var victim = await StoreAsync(portal, admin, "victim-secret-value-1111");
        var attacker = await StoreAsync(portal, admin, "attacker-secret-value-2222");
        await portal.WithDbAsync(async db =>
        {
            var source = await db.Set<Credential>().AsNoTracking().SingleAsync(c => c.Id == victim, None);
            var target = await db.Set<Credential>().SingleAsync(c => c.Id == attacker, None);
            (target.Ciphertext, target.KeyId) = (source.Ciphertext, source.KeyId);
            return await db.SaveChangesAsync(None);
        });

        await Assert.ThrowsAsync<SecretTamperedException>(() => RevealAsync(attacker));
        Assert.Equal("victim-secret-value-1111", await RevealAsync(victim));
    }

    [Fact]
    public async Task Every_read_of_a_plain_value_is_audited_with_its_purpose_and_never_its_value()
    {
        var admin = await portal.CreateUserAsync("vault", admin: true);
        var value = $"audited-read-{Guid.NewGuid():N}";
        var id = await StoreAsync(portal, admin, value);

        await RevealAsync(id, "connection test");
        await RevealAsync(id, "deployment delivery");

        var reads = await portal.WithDbAsync(db => db.AuditEntries.AsNoTracking()
            .Where(e => e.EntityId == id.ToString() && e.Action == "secret.read").OrderBy(e => e.At).ToListAsync(None));
        Assert.Equal(2, reads.Count);
        Assert.Contains("connection test", reads[0].Details, StringComparison.Ordinal);
        Assert.Contains("deployment delivery", reads[1].Details, StringComparison.Ordinal);
        Assert.All(reads, r => Assert.Equal("system", r.ActorEmail));
        Assert.All(reads, r => Assert.DoesNotContain(value, r.Details ?? "", StringComparison.Ordinal));
        var write = await portal.WithDbAsync(db => db.AuditEntries.AsNoTracking().SingleAsync(e => e.EntityId == id.ToString() && e.Action == "secret.write", None));
        Assert.Equal(admin.Id, write.ActorId);
        Assert.NotNull(await portal.WithDbAsync(db => db.Set<Credential>().Where(c => c.Id == id).Select(c => c.LastReadAt).SingleAsync(None)));
    }

    [Fact]
    public async Task The_data_keys_are_stored_wrapped_and_name_the_master_key()
    {
        await StoreAsync(portal, await portal.CreateUserAsync("vault", admin: true), "wrapped-key-check-3333");
        var (keys, master) = await portal.WithScopeAsync(async sp => (
            await sp.GetRequiredService<CatalystDbContext>().Set<SecretKey>().AsNoTracking().ToListAsync(None),
            sp.GetRequiredService<MasterKey>()));

        Assert.NotEmpty(keys);
        Assert.All(keys, k => Assert.Equal(master.Id, k.MasterKeyId));
        Assert.All(keys, k => Assert.Equal(12 + 16 + 32, k.WrappedKey.Length));
        Assert.True(master.IsDevelopmentKey);
        Assert.True(File.Exists(Path.Combine(portal.DataDirectory, "secrets", "master.key")));
    }
}
