using System.Diagnostics;
using System.Text;
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
            var (migrated, migrateOut, migrateErr) = await RunToEndAsync(["migrate-db"], environment);
            Assert.True(migrated == 0, migrateOut + migrateErr);

            using var worker = Start(["run"], new Dictionary<string, string>(environment) { ["Catalyst__Jobs__Storage"] = "InMemory" });
            var output = await WaitForAsync(worker, text => text.Contains("Recurring job " + JobKinds.SearchVerification, StringComparison.Ordinal)
                                                            && text.Contains("Server catalyst-", StringComparison.Ordinal));
            worker.Process.Kill(entireProcessTree: true);
            await worker.Process.WaitForExitAsync();

            Assert.Contains("Catalyst:Jobs:Storage=InMemory", output, StringComparison.Ordinal);
            foreach (var kind in new[] { JobKinds.StorageGarbageCollection, JobKinds.UploadCleanup, JobKinds.SearchVerification })
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
        var (code, _, error) = await RunToEndAsync(["run"], new Dictionary<string, string> { ["Catalyst__DataDirectory"] = Path.GetTempPath() });
        Assert.Equal(2, code);
        Assert.Contains("needs shared job storage", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SqlServer_without_a_connection_string_is_refused_with_the_key_named()
    {
        var (code, output, error) = await RunToEndAsync(["run"], new Dictionary<string, string> { ["Database__Provider"] = "SqlServer" });
        Assert.Equal(1, code);
        Assert.Contains("ConnectionStrings:Catalyst is required when Database:Provider is 'SqlServer'", output + error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal); // a message, not a stack trace
    }

    private sealed class Running(Process process, StringBuilder output) : IDisposable
    {
        public Process Process { get; } = process;
        public string Output { get { lock (output) return output.ToString(); } }
        public void Dispose()
        {
            if (!Process.HasExited)
                Process.Kill(entireProcessTree: true);
            Process.Dispose();
        }
    }

    private static string WorkersDll
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            return Path.Combine(RepositoryPaths.Root, "src", "Workers", "bin", configuration, "net10.0", "Catalyst.Workers.dll");
        }
    }

    /// <summary>The built worker, in Production, with inherited Catalyst settings removed so only the test's count.</summary>
    private static ProcessStartInfo StartInfo(string[] args, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", [WorkersDll, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var key in start.Environment.Keys.Where(k => k.Contains("__", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        return start;
    }

    private static Running Start(string[] args, IReadOnlyDictionary<string, string> environment)
    {
        var start = StartInfo(args, environment);
        var output = new StringBuilder();
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new Running(process, output);
    }

    private static async Task<string> WaitForAsync(Running running, Func<string, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!done(running.Output))
        {
            if (running.Process.HasExited)
                throw new InvalidOperationException($"The worker exited with {running.Process.ExitCode}:\n{running.Output}");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("The worker did not start:\n" + running.Output);
            await Task.Delay(100);
        }
        return running.Output;
    }

    private static async Task<(int Code, string Out, string Err)> RunToEndAsync(string[] args, IReadOnlyDictionary<string, string> environment)
    {
        var start = StartInfo(args, environment);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
