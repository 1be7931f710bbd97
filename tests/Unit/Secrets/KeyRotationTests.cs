using System.Net;
using Catalyst.Data.Secrets;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Tests.Unit.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Secrets;

/// <summary>Key rotation counts every key and credential of its database: a Portal of its own.</summary>
public sealed class RotationPortal : IAsyncLifetime
{
    public PortalFactory Portal { get; } = new(new Dictionary<string, string?> { ["Catalyst:Secrets:RotationBatchSize"] = "3" });
    public ValueTask InitializeAsync() => Portal.InitializeAsync();
    public ValueTask DisposeAsync() => Portal.DisposeAsync();
}

/// <summary>SPEC §14: <c>POST /api/admin/keys/rotate</c> re-encrypts every secret under a new key while reads keep working.</summary>
public class KeyRotationTests(RotationPortal fixture) : IClassFixture<RotationPortal>
{
    private PortalFactory Portal => fixture.Portal;

    [Fact]
    public async Task Rotation_re_encrypts_every_secret_under_a_new_key_while_reads_keep_working_then_deletes_the_old_key()
    {
        var admin = await Portal.CreateUserAsync("rotator", admin: true);
        var values = Enumerable.Range(0, 40).Select(i => $"rotating-secret-{i:00}-{Guid.NewGuid():N}").ToList();
        var ids = new List<Guid>();
        foreach (var value in values)
            ids.Add(await SecretVaultTests.StoreAsync(Portal, admin, value));
        var api = Portal.CreateApiClient(admin.Token);
        var oldKeys = await Portal.WithDbAsync(db => db.Set<SecretKey>().Select(k => k.Id).ToListAsync(TestContext.Current.CancellationToken));

        // Readers run through the whole rotation: every read must answer the right value.
        using var stop = new CancellationTokenSource();
        var reads = 0;
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                for (var i = 0; i < ids.Count; i++)
                {
                    var value = await Portal.WithScopeAsync(sp => sp.GetRequiredService<SecretVault>().RevealAsync(ids[i], "rotation test", null, CancellationToken.None));
                    Assert.Equal(values[i], value);
                    Interlocked.Increment(ref reads);
                }
            }
        })).ToList();

        // The readers are under way (a full pass done) before the rotation starts ...
        await WaitForReadsAsync(() => Volatile.Read(ref reads) >= ids.Count, readers);
        var response = await api.PostAsync("/api/admin/keys/rotate", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var runId = (await response.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        Assert.Equal($"/api/jobs/{runId}", response.Headers.Location?.OriginalString);
        var run = await api.WaitForStatusAsync(runId, "succeeded");
        // ... and keep reading the right values through two more full passes after it finished.
        var afterRotation = Volatile.Read(ref reads);
        await WaitForReadsAsync(() => Volatile.Read(ref reads) >= afterRotation + 2 * ids.Count, readers);
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        var result = run.GetProperty("result");
        var newKey = result.GetProperty("activeKeyId").GetString()!;
        Assert.DoesNotContain(newKey, oldKeys);
        Assert.True(result.GetProperty("reencrypted").GetInt32() >= ids.Count);
        var (keys, keyIds) = await Portal.WithDbAsync(async db => (
            await db.Set<SecretKey>().Select(k => k.Id).ToListAsync(TestContext.Current.CancellationToken),
            await db.Set<Credential>().Select(c => c.KeyId).Distinct().ToListAsync(TestContext.Current.CancellationToken)));
        Assert.Equal([newKey], keys);
        Assert.Equal([newKey], keyIds);
        for (var i = 0; i < ids.Count; i++)
            Assert.Equal(values[i], await Portal.WithScopeAsync(sp => sp.GetRequiredService<SecretVault>().RevealAsync(ids[i], "after", null, CancellationToken.None)));

        var listed = (await (await api.GetAsync("/api/admin/keys")).ReadJsonAsync()).GetProperty("data");
        var key = Assert.Single(listed.EnumerateArray());
        Assert.Equal("active", key.GetProperty("status").GetString());
        Assert.False(key.TryGetProperty("wrappedKey", out _));
        var audit = await Portal.WithDbAsync(db => db.AuditEntries.Where(e => e.Action == "secret.key_rotate" || e.Action == "secret.key_retire")
            .Select(e => e.Action).ToListAsync(TestContext.Current.CancellationToken));
        Assert.Contains("secret.key_rotate", audit);
        Assert.Contains("secret.key_retire", audit);
    }

    /// <summary>Waits for the readers to get that far; a reader that failed ends the wait with its assertion.</summary>
    private static async Task WaitForReadsAsync(Func<bool> done, List<Task> readers)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!done())
        {
            if (readers.FirstOrDefault(r => r.IsCompleted) is { } ended)
                await ended;
            Assert.True(DateTime.UtcNow < deadline, "the readers made no progress for a minute");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task A_secret_written_during_a_rotation_uses_the_new_key_at_once()
    {
        var admin = await Portal.CreateUserAsync("rotator", admin: true);
        var run = await Portal.WithScopeAsync(sp => sp.GetRequiredService<SecretKeyRotation>().StartAsync(admin.Actor, CancellationToken.None));
        var active = await Portal.WithDbAsync(db => db.Set<SecretKey>().Where(k => k.Status == SecretKeyStatus.Active)
            .OrderByDescending(k => k.CreatedAt).Select(k => k.Id).FirstAsync(TestContext.Current.CancellationToken));

        var id = await SecretVaultTests.StoreAsync(Portal, admin, "written-during-rotation-4444");

        Assert.Equal(active, await Portal.WithDbAsync(db => db.Set<Credential>().Where(c => c.Id == id).Select(c => c.KeyId).SingleAsync(TestContext.Current.CancellationToken)));
        await Portal.CreateApiClient(admin.Token).WaitForStatusAsync(run.Id, "succeeded");
    }
}
