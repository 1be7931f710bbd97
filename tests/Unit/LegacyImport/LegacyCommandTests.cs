using Catalyst.Data.LegacyImport;
using Catalyst.Data.LegacyImport.Reading;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Workers.Commands;
using Catalyst.Workers.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Spectre.Console;

namespace Catalyst.Tests.Unit.LegacyImport;

/// <summary>
/// import-legacy, verify-legacy and rollback-legacy end to end against the Portal's own database and
/// store, through the Workers host the command line builds (in this process, with the test reader
/// until the streaming reader is registered).
/// </summary>
public class LegacyCommandTests(PortalFactory portal)
{
    private (Microsoft.Extensions.Hosting.IHost Host, StringWriter Output, IAnsiConsole Console) Host()
    {
        var builder = WorkerHost.CreateBuilder([$"--Catalyst:DataDirectory={portal.DataDirectory}", "--Serilog:MinimumLevel:Default=Warning"], runJobServer: false);
        builder.Services.Replace(ServiceDescriptor.Singleton<ILegacyDumpReader, FakeLegacyReader>());
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No });
        console.Profile.Width = 200;
        return (builder.Build(), output, console);
    }

    [Fact]
    public async Task Import_verify_and_rollback_from_the_command_line()
    {
        var user = await portal.CreateUserAsync("legacy-cli");
        var folder = Directory.CreateTempSubdirectory("legacy-cli-");
        try
        {
            var paths = new List<string>();
            foreach (var (name, bytes) in LegacyTestDumps.Create().Small())
            {
                var path = Path.Combine(folder.FullName, name);
                await File.WriteAllBytesAsync(path, bytes);
                paths.Add(path);
            }
            var (host, output, console) = Host();
            using (host)
            {
                Assert.Equal(0, await LegacyImportCommands.ImportAsync(host.Services, ["--user", user.Email, "--dry-run", .. paths], console, CancellationToken.None));
                Assert.Contains("dry-run", output.ToString(), StringComparison.Ordinal);
                Assert.Contains("chatMessages", output.ToString(), StringComparison.Ordinal);
                Assert.Equal(0, await portal.WithDbAsync(db => db.ChatSessions.CountAsync(s => s.UserId == user.Id)));

                Assert.Equal(0, await LegacyImportCommands.ImportAsync(host.Services, ["--user", user.Email, .. paths], console, CancellationToken.None));
                Assert.Equal(3, await portal.WithDbAsync(db => db.ChatSessions.CountAsync(s => s.UserId == user.Id)));
                var id = await portal.WithDbAsync(db => db.Set<LegacyImportMigration>().Where(m => m.OwnerId == user.Id && !m.DryRun).Select(m => m.Id).SingleAsync());
                Assert.Contains(id.ToString(), output.ToString(), StringComparison.Ordinal);
                Assert.Contains("Problems", output.ToString(), StringComparison.Ordinal);

                Assert.Equal(0, await LegacyImportCommands.VerifyAsync(host.Services, [id.ToString()], console, CancellationToken.None));
                Assert.Contains("Verification: passed", output.ToString(), StringComparison.Ordinal);
                Assert.Equal(0, await LegacyImportCommands.RollbackAsync(host.Services, [id.ToString()], console, CancellationToken.None));
                Assert.Equal(0, await portal.WithDbAsync(db => db.ChatSessions.CountAsync(s => s.UserId == user.Id)));

                Assert.Equal(ExitCodes.NotFound, (await Assert.ThrowsAsync<CommandException>(() => LegacyImportCommands.VerifyAsync(host.Services, [Guid.NewGuid().ToString()], console, CancellationToken.None))).ExitCode);
                Assert.Equal(ExitCodes.Usage, (await Assert.ThrowsAsync<CommandException>(() => LegacyImportCommands.ImportAsync(host.Services, ["--user", user.Email], console, CancellationToken.None))).ExitCode);
                Assert.Equal(ExitCodes.NotFound, (await Assert.ThrowsAsync<CommandException>(() => LegacyImportCommands.ImportAsync(host.Services, ["--user", "nobody@test.local", .. paths], console, CancellationToken.None))).ExitCode);
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
