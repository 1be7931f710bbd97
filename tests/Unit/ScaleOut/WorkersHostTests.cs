using Catalyst.Data.Storage;
using Catalyst.Data.Search;
using Catalyst.Data.Uploads;
using Catalyst.Data.Jobs;
using Catalyst.Tests.Unit.Infrastructure;

namespace Catalyst.Tests.Unit.ScaleOut;

/// <summary>
/// The worker process (src/Workers) as it is started in production, on what this machine has:
/// SQLite with an in-memory queue for a smoke test, and the refusals an operator meets first.
/// The SQL Server path itself runs in <see cref="Foundation.SqlServerIntegrationTests"/> when
/// CATALYST_TEST_SQLSERVER is set.
/// </summary>
public class WorkersHostTests
{
    [Fact]
    public async Task The_worker_host_starts_its_job_server_and_registers_the_recurring_jobs_once()
    {
        var data = Directory.CreateTempSubdirectory("catalyst-workers-").FullName;
        try
        {
            var environment = new Dictionary<string, string> { ["Catalyst__DataDirectory"] = data };
            var (migrated, migrateOut, migrateErr) = await WorkersProcess.RunAsync(["migrate-db"], environment);
            Assert.True(migrated == 0, migrateOut + migrateErr);

            using var worker = WorkersProcess.Start(["run"], new Dictionary<string, string>(environment) { ["Catalyst__Jobs__Storage"] = "InMemory" });
            var output = await worker.WaitForAsync(text => text.Contains("Recurring job " + SearchVerificationJob.Kind, StringComparison.Ordinal)
                                                            && text.Contains("Server catalyst-", StringComparison.Ordinal));
            worker.Process.Kill(entireProcessTree: true);
            await worker.Process.WaitForExitAsync();

            Assert.Contains("Catalyst:Jobs:Storage=InMemory", output, StringComparison.Ordinal);
            foreach (var kind in new[] { StorageGarbageCollectionJob.Kind, UploadCleanupJob.Kind, SearchVerificationJob.Kind })
                Assert.Single(output.Split('\n'), line => line.Contains("Recurring job " + kind + ":", StringComparison.Ordinal));
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task Without_shared_job_storage_the_worker_host_refuses_to_run_and_says_why()
    {
        var (code, _, error) = await WorkersProcess.RunAsync(["run"], new Dictionary<string, string> { ["Catalyst__DataDirectory"] = Path.GetTempPath() });
        Assert.Equal(2, code);
        Assert.Contains("needs shared job storage", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SqlServer_without_a_connection_string_is_refused_with_the_key_named()
    {
        var (code, output, error) = await WorkersProcess.RunAsync(["run"], new Dictionary<string, string> { ["Database__Provider"] = "SqlServer" });
        Assert.Equal(1, code);
        Assert.Contains("ConnectionStrings:Catalyst is required when Database:Provider is 'SqlServer'", output + error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal); // a message, not a stack trace
    }
}
