using Catalyst.Data.Projects;
using Catalyst.Data;
using Catalyst.Data.Common;
using Catalyst.Data.Jobs;
using Catalyst.Data.LegacyImport;
using Catalyst.Data.LegacyImport.Reading;
using Catalyst.Data.Storage;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Workers.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Catalyst.Tests.Unit.Jobs;

/// <summary>
/// SPEC §16: a job that fails on something other than a domain error shows its user a sentence with
/// a reference (the run's id), never the database's or the exception's text; the log keeps the
/// detail under that reference. A domain error keeps its own sentence.
/// </summary>
public class JobErrorTests(PortalFactory portal)
{
    /// <summary>A job that fails the way <paramref name="how"/> says, against the Portal's real database.</summary>
    private sealed class FailingJob(IServiceProvider services, string how) : IJob
    {
        public async Task<object?> RunAsync(Guid jobRunId, CancellationToken ct)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CatalystDbContext>();
            switch (how)
            {
                case "DbUpdateException":
                    // The run's own id again: a primary key the database refuses.
                    db.JobRuns.Add(new JobRun { Id = jobRunId, Kind = RecomputeProjectStatisticsJob.Kind });
                    await db.SaveChangesAsync(ct);
                    break;
                case "SqliteException":
                    await db.Database.ExecuteSqlRawAsync("SELECT * FROM \"NoSuchTable\"", ct);
                    break;
                case "InvalidOperationException":
                    await db.Projects.SingleAsync(p => p.Id == Guid.Empty, ct);
                    break;
                default:
                    throw new ConflictException("website_locked", "The website is locked by another import; try again when it has finished.");
            }
            return null;
        }
    }

    private async Task<(Guid RunId, TestUser User, CapturingLogger<JobRunner> Log)> FailAsync(string how)
    {
        var user = await portal.CreateUserAsync("job-error");
        var run = await portal.InsertRunAsync(user.Id, JobRunStatus.Queued, new { ownerId = user.Id });
        var log = new CapturingLogger<JobRunner>();
        var jobs = new ServiceCollection().AddKeyedSingleton<IJob>(run.Kind, new FailingJob(portal.Services, how)).BuildServiceProvider();
        await portal.WithScopeAsync(sp =>
            new JobRunner(sp.GetRequiredService<CatalystDbContext>(), jobs, TimeProvider.System, log).RunAsync(run.Id, CancellationToken.None));
        return (run.Id, user, log);
    }

    [Theory]
    [InlineData("DbUpdateException", "UNIQUE constraint failed")]
    [InlineData("SqliteException", "no such table")]
    [InlineData("InvalidOperationException", "Sequence contains no elements")]
    public async Task An_internal_failure_shows_a_sentence_with_the_reference_and_the_log_keeps_the_detail(string how, string raw)
    {
        var (id, user, log) = await FailAsync(how);
        var sentence = $"The job failed because of an internal error (reference {id}).";

        var run = await portal.CreateApiClient(user.Token).GetRunAsync(id);
        Assert.Equal("failed", run.GetProperty("status").GetString());
        Assert.Equal(sentence, run.GetProperty("error").GetString());

        var browser = await portal.CreateSignedInBrowserAsync(user);
        var page = await browser.GetDocumentAsync($"/Jobs/Details/{id}");
        Assert.Equal(sentence, page.QuerySelector("[data-testid=job-status] .error")?.TextContent.Trim());
        Assert.DoesNotContain(raw, page.DocumentElement.OuterHtml, StringComparison.OrdinalIgnoreCase);
        var list = await browser.GetDocumentAsync("/Jobs");
        Assert.DoesNotContain(raw, list.DocumentElement.OuterHtml, StringComparison.OrdinalIgnoreCase);

        var entry = Assert.Single(log.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains(id.ToString(), entry.Message, StringComparison.Ordinal);
        Assert.Contains(raw, entry.Exception!.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("   at ", entry.Exception.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_domain_error_keeps_its_own_sentence()
    {
        var (id, user, _) = await FailAsync("domain");

        var run = await portal.CreateApiClient(user.Token).GetRunAsync(id);
        Assert.Equal("The website is locked by another import; try again when it has finished.", run.GetProperty("error").GetString());
    }

    /// <summary>A reader that breaks inside, as a bug or a lost connection would.</summary>
    private sealed class BrokenReader : ILegacyDumpReader
    {
        public IAsyncEnumerable<LegacyItem> ReadAsync(LegacySourceFile file, CancellationToken ct) =>
            throw new InvalidOperationException("Collection was modified; enumeration operation may not execute.");
    }

    [Fact]
    public async Task A_legacy_migration_failing_inside_shows_the_sentence_on_its_page_too()
    {
        var user = await portal.CreateUserAsync("job-error-legacy");
        var migrationId = await portal.WithScopeAsync(async sp =>
        {
            var blob = await sp.GetRequiredService<ContentStore>().WriteAsync(new MemoryStream("""{"theme":"dark"}"""u8.ToArray()), CancellationToken.None);
            return (await sp.GetRequiredService<LegacyImportService>().CreateAsync(user.Actor, user.Id,
                [new LegacyInputFile("localStorage.json", blob.Sha256, blob.Length)], dryRun: true, CancellationToken.None)).Id;
        });
        var run = await portal.InsertRunAsync(user.Id, JobRunStatus.Queued, new { migrationId }, kind: LegacyImportJob.Kind);
        var log = new CapturingLogger<JobRunner>();
        await portal.WithScopeAsync(sp =>
        {
            var db = sp.GetRequiredService<CatalystDbContext>();
            var migrations = new LegacyImportService(db, sp.GetRequiredService<ContentStore>(), sp, TimeProvider.System, new BrokenReader());
            var jobs = new ServiceCollection().AddKeyedSingleton<IJob>(run.Kind, new LegacyImportJob(db, migrations, sp.GetRequiredService<JobProgress>())).BuildServiceProvider();
            return new JobRunner(db, jobs, TimeProvider.System, log).RunAsync(run.Id, CancellationToken.None);
        });
        var sentence = $"The job failed because of an internal error (reference {run.Id}).";

        Assert.Equal(sentence, (await portal.CreateApiClient(user.Token).GetRunAsync(run.Id)).GetProperty("error").GetString());
        var page = await (await portal.CreateSignedInBrowserAsync(user)).GetDocumentAsync($"/Migrations/Details/{migrationId}");
        Assert.Equal("failed", page.QuerySelector("[data-testid=migration-state]")?.TextContent.Trim());
        Assert.Equal(sentence, page.QuerySelector("[data-testid=migration-status] .error")?.TextContent.Trim());
        Assert.DoesNotContain("Collection was modified", page.DocumentElement.OuterHtml, StringComparison.Ordinal);
        Assert.Contains("Collection was modified", Assert.Single(log.Entries, e => e.Level == LogLevel.Error).Exception!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_legacy_row_the_database_refuses_is_a_problem_with_a_sentence_not_the_database_text()
    {
        var user = await portal.CreateUserAsync("job-error-row");
        var name = $"Refused {Guid.NewGuid():N}";
        var trigger = $"refuse_{Guid.NewGuid():N}";
        // The database itself refuses this one row, with text no user should read.
        // Both names are made here of a GUID: nothing to escape.
        var create = $"CREATE TRIGGER \"{trigger}\" BEFORE INSERT ON \"Projects\" WHEN NEW.\"Name\" = '{name}' BEGIN SELECT RAISE(ABORT, 'raw database text from {trigger}'); END;";
        var drop = $"DROP TRIGGER IF EXISTS \"{trigger}\";";
        await portal.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(create));
        try
        {
            var dump = System.Text.Encoding.UTF8.GetBytes($$$"""{"database": "kijko_db", "tables": [{"name": "projects", "rows": [{"key": "p1", "value": {"id": "p1", "name": "{{{name}}}"}}, {"key": "p2", "value": {"id": "p2", "name": "Kept"}}]}]}""");
            var (id, report) = await new LegacyImport.LegacyHarness(portal).RunAsync(user, [("kijko_db.json", dump)], dryRun: false);

            var problem = Assert.Single(report.Problems, p => p.Key == "p1");
            Assert.Equal($"The row could not be written because of an internal error (reference {id}).", problem.Message);
            Assert.DoesNotContain(report.Problems, p => p.Message.Contains("raw database text", StringComparison.Ordinal) || p.Message.Contains("SQLite", StringComparison.Ordinal));
            Assert.Equal(1, await portal.WithDbAsync(db => db.Projects.CountAsync(p => p.OwnerId == user.Id && p.Name == "Kept")));
        }
        finally
        {
            await portal.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(drop));
        }
    }
}
