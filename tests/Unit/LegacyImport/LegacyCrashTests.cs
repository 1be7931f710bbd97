using Catalyst.Data.LegacyImport;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.LegacyImport;

/// <summary>
/// A real Workers process running <c>import-legacy</c> is killed (SIGKILL) while it applies; running
/// the same files again completes the migration without a single duplicate. The command line reads
/// real dump files: the large set when it was generated, else the committed small one.
/// </summary>
public class LegacyCrashTests(PortalFactory portal)
{
    [Fact]
    public async Task A_worker_killed_mid_apply_then_a_rerun_completes_without_duplicates()
    {
        var files = LegacyFixtures.DumpFiles(LegacyFixtures.Exists("large") ? "large" : "small");
        var environment = new Dictionary<string, string> { ["Catalyst__DataDirectory"] = portal.DataDirectory, ["Serilog__MinimumLevel__Default"] = "Warning" };

        // The whole set once, for another user: what a complete migration gives.
        var reference = await portal.CreateUserAsync("legacy-crash-ref");
        var (code, output, error) = await WorkersProcess.RunAsync(["import-legacy", "--user", reference.Email, .. files], environment, TimeSpan.FromMinutes(5));
        Assert.True(code == 0, output + error);

        var user = await portal.CreateUserAsync("legacy-crash");
        using (var worker = WorkersProcess.Start(["import-legacy", "--user", user.Email, .. files], environment))
        {
            await Poll.UntilAsync(() => portal.WithDbAsync(db => db.Set<LegacySourceKey>().CountAsync(k => k.UserId == user.Id)),
                n => n > 0 || worker.Process.HasExited, TimeSpan.FromMinutes(2), "the first rows to land");
            if (!worker.Process.HasExited)
                worker.Process.Kill(entireProcessTree: true); // SIGKILL: no shutdown, no cleanup
            await worker.Process.WaitForExitAsync();
        }

        (code, output, error) = await WorkersProcess.RunAsync(["import-legacy", "--user", user.Email, .. files], environment, TimeSpan.FromMinutes(5));
        Assert.True(code == 0, output + error);

        await portal.WithDbAsync(async db =>
        {
            async Task<(int, int, int, int, int, int)> Counts(Guid id) => (
                await db.Websites.CountAsync(w => w.OwnerId == id),
                await db.Set<Catalyst.Data.Websites.ContentItem>().CountAsync(i => db.Websites.Any(w => w.Id == i.WebsiteId && w.OwnerId == id)),
                await db.Projects.CountAsync(p => p.OwnerId == id),
                await db.ChatSessions.CountAsync(s => s.UserId == id),
                await db.ChatMessages.CountAsync(m => m.Session!.UserId == id),
                await db.Assets.CountAsync(a => a.OwnerId == id));
            Assert.Equal(await Counts(reference.Id), await Counts(user.Id));
            var keys = await db.Set<LegacySourceKey>().Where(k => k.UserId == user.Id).Select(k => new { k.Database, k.Table, k.Key }).ToListAsync();
            Assert.Equal(keys.Count, keys.Distinct().Count());
            Assert.Equal(await db.Set<LegacySourceKey>().CountAsync(k => k.UserId == reference.Id), keys.Count);
            return true;
        });
    }
}
