using Catalyst.Tests.Unit.Infrastructure;

namespace Catalyst.Tests.Unit.Hardening;

/// <summary>A migrated data directory the command-line tests share (migrate-db runs once).</summary>
public sealed class MigratedDataDirectory : IAsyncLifetime
{
    public string Path { get; } = Directory.CreateTempSubdirectory("catalyst-cli-").FullName;

    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["Catalyst__DataDirectory"] = Path };

    public async ValueTask InitializeAsync()
    {
        var (code, output, error) = await WorkersProcess.RunAsync(["migrate-db"], Environment);
        Assert.True(code == 0, output + error);
    }

    public ValueTask DisposeAsync()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// The Workers command line as an operator meets it (a real process): whatever goes wrong ends the
/// command with a non-zero exit code and one line on stderr naming the problem, never a stack trace
/// or an unhandled-exception abort; by default only warnings and errors are logged, and
/// <c>--verbose</c> shows the rest.
/// </summary>
public class WorkersCommandLineTests(MigratedDataDirectory data) : IClassFixture<MigratedDataDirectory>
{
    private static readonly IReadOnlyDictionary<string, string> NoSettings = new Dictionary<string, string>();

    /// <summary>A failure's standard error: one line, containing <paramref name="naming"/>, no stack frame, no SQL.</summary>
    private static void AssertOneLine(int code, string output, string error, string naming)
    {
        Assert.True(code != 0, $"exit code 0\n{output}\n{error}");
        Assert.True(code is not (134 or -532462766), $"the process aborted ({code}):\n{error}");
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got {lines.Length}:\n{error}");
        Assert.Contains(naming, lines[0], StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Executed DbCommand", output + error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_command_is_one_line_naming_it()
    {
        var (code, output, error) = await WorkersProcess.RunAsync(["frobnicate"], NoSettings);
        AssertOneLine(code, output, error, "Unknown command 'frobnicate'");
    }

    [Fact]
    public async Task Help_prints_the_usage_on_stdout_and_succeeds()
    {
        var (code, output, error) = await WorkersProcess.RunAsync(["help"], NoSettings);
        Assert.True(code == 0, error);
        Assert.Contains("import-legacy --user EMAIL", output, StringComparison.Ordinal);
        Assert.Contains("--verbose", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_backup_file_is_one_line_naming_the_file()
    {
        var (code, output, error) = await WorkersProcess.RunAsync(["verify-backup", "/no/such/backup.json"], NoSettings);
        AssertOneLine(code, output, error, "/no/such/backup.json");
    }

    [Fact]
    public async Task A_missing_legacy_dump_is_one_line_on_stderr_naming_the_file()
    {
        var (code, output, error) = await WorkersProcess.RunAsync(["import-legacy", "--user", "someone@test.local", "/no/such/dump.json"], data.Environment);
        AssertOneLine(code, output, error, "/no/such/dump.json");
    }

    [Fact]
    public async Task An_unknown_user_email_is_one_line_on_stderr_naming_the_email()
    {
        var dump = System.IO.Path.Combine(data.Path, "dump.json");
        await File.WriteAllTextAsync(dump, "{}");
        var (code, output, error) = await WorkersProcess.RunAsync(["import-legacy", "--user", "nobody-here@test.local", dump], data.Environment);
        AssertOneLine(code, output, error, "nobody-here@test.local");
        Assert.Equal(4, code);
    }

    [Theory]
    [InlineData("verify-legacy", "not-a-guid", "not-a-guid")]
    [InlineData("rollback-legacy", "not-a-guid", "not-a-guid")]
    [InlineData("verify-legacy", "0b8c9c8e-25a8-4b9b-9d36-0f4a3d7d2a11", "0b8c9c8e-25a8-4b9b-9d36-0f4a3d7d2a11")]
    [InlineData("rollback-legacy", "0b8c9c8e-25a8-4b9b-9d36-0f4a3d7d2a11", "0b8c9c8e-25a8-4b9b-9d36-0f4a3d7d2a11")]
    public async Task A_bad_or_unknown_migration_id_is_one_line_on_stderr(string command, string id, string naming)
    {
        var (code, output, error) = await WorkersProcess.RunAsync([command, id], data.Environment);
        AssertOneLine(code, output, error, naming);
    }

    [Theory]
    [InlineData("migrate-db")]
    [InlineData("verify-storage")]
    [InlineData("gc-storage")]
    [InlineData("verify-legacy")]
    [InlineData("import-legacy")]
    public async Task A_database_that_cannot_be_opened_is_one_line_naming_the_database(string command)
    {
        var folder = Directory.CreateTempSubdirectory("catalyst-cli-bad-").FullName;
        try
        {
            await File.WriteAllTextAsync(System.IO.Path.Combine(folder, "catalyst.db"), new string('x', 4096));
            var dump = System.IO.Path.Combine(folder, "dump.json");
            await File.WriteAllTextAsync(dump, "{}");
            string[] args = command switch
            {
                "verify-legacy" => [command, Guid.NewGuid().ToString()],
                "import-legacy" => [command, "--user", "someone@test.local", dump],
                _ => [command],
            };
            var (code, output, error) = await WorkersProcess.RunAsync(args, new Dictionary<string, string> { ["Catalyst__DataDirectory"] = folder });
            AssertOneLine(code, output, error, "database");
            Assert.Contains("file is not a database", error, StringComparison.Ordinal);
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task A_data_directory_that_cannot_be_created_is_one_line_naming_the_setting()
    {
        var file = System.IO.Path.Combine(data.Path, "not-a-directory");
        await File.WriteAllTextAsync(file, "");
        var (code, output, error) = await WorkersProcess.RunAsync(["migrate-db"], new Dictionary<string, string> { ["Catalyst__DataDirectory"] = System.IO.Path.Combine(file, "data") });
        AssertOneLine(code, output, error, "Catalyst:DataDirectory");
    }

    [Theory]
    [InlineData("migrate-db", "Database__Provider", "Oracle", "Database:Provider")]
    [InlineData("verify-storage", "Storage__Provider", "Floppy", "Storage:Provider")]
    [InlineData("gc-storage", "Catalyst__Observability__OtlpProtocol", "pigeon", "Catalyst:Observability:OtlpProtocol")]
    public async Task A_bad_setting_is_one_line_naming_the_key(string command, string key, string value, string naming)
    {
        var (code, output, error) = await WorkersProcess.RunAsync([command], new Dictionary<string, string>(data.Environment) { [key] = value });
        AssertOneLine(code, output, error, naming);
    }

    [Fact]
    public async Task By_default_a_command_logs_no_information_and_no_sql_and_verbose_shows_them()
    {
        var (code, output, error) = await WorkersProcess.RunAsync(["verify-storage"], data.Environment);
        Assert.True(code == 0, output + error);
        Assert.DoesNotContain("Executed DbCommand", output + error, StringComparison.Ordinal);
        Assert.DoesNotContain(" INF]", output + error, StringComparison.Ordinal);
        Assert.DoesNotContain(" DBG]", output + error, StringComparison.Ordinal);

        var (verboseCode, verboseOutput, verboseError) = await WorkersProcess.RunAsync(["verify-storage", "--verbose"], data.Environment);
        Assert.True(verboseCode == 0, verboseOutput + verboseError);
        Assert.Contains("Executed DbCommand", verboseError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verbose_shows_the_detail_of_a_failure()
    {
        var folder = Directory.CreateTempSubdirectory("catalyst-cli-bad-").FullName;
        try
        {
            await File.WriteAllTextAsync(System.IO.Path.Combine(folder, "catalyst.db"), new string('x', 4096));
            var (code, _, error) = await WorkersProcess.RunAsync(["verify-storage", "--verbose"], new Dictionary<string, string> { ["Catalyst__DataDirectory"] = folder });
            Assert.NotEqual(0, code);
            Assert.Contains("file is not a database", error, StringComparison.Ordinal);
            Assert.Contains("   at ", error, StringComparison.Ordinal);
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }
}
