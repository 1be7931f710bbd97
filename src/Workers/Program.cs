using Catalyst.Workers.Commands;
using Catalyst.Workers.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Catalyst.Workers;

// The worker process and the command line: `dotnet run --project src/Workers` runs jobs
// (production, against SQL Server); `-- migrate-db` applies the schema; `-- help` lists the other commands.
public static class Program
{
    private const string Usage = """
        Usage: dotnet run --project src/Workers -- <command> [--verbose]
          run                               run background jobs (needs SQL Server job storage)
          migrate-db                        apply the database schema and create the admin if there is none
          verify-storage [--rebuild] [--deep]  check reference counts, chunk indexes and chunk objects
          gc-storage                        free blobs and chunks nothing references, prune sparse packs
          rebuild-index                     rebuild the chunk index from the packs' trailers
          repack                            move loose chunks (the layout before packs) into packs; resumable
          copy-store --Target:Provider=AzureBlob --Target:AzureBlob:ConnectionString=...
                     [--Target:AzureBlob:ContainerName=...] [--verify-existing]
                                            copy every pack and chunk to another store, checking hashes; run again to resume
          verify-backup FILE                check a website backup or account archive without importing it
          import-legacy --user EMAIL [--dry-run] FILES...
                                            migrate legacy browser dumps for a user (SPEC §11)
          verify-legacy ID                  recount a migration and re-hash its blobs
          rollback-legacy ID                remove what a migration added, restore what it changed
          help                              this list
        Commands log only warnings and errors; --verbose shows information, SQL statements and the
        details of a failure. A failure is one line on stderr and a non-zero exit code (1 error,
        2 bad arguments, 3 a check found problems, 4 not found or schema not current).
        """;

    public static async Task<int> Main(string[] args)
    {
        var verbose = args.Any(a => a is "--verbose" or "-v");
        args = args.Where(a => a is not ("--verbose" or "-v")).ToArray();
        var command = args.FirstOrDefault(a => !a.StartsWith('-')) ?? (args.Any(a => a is "--help" or "-h") ? "help" : "run");
        var rest = args.Where(a => a != command).ToArray();

        try
        {
            return await RunAsync(command, rest, verbose);
        }
#pragma warning disable CA1031 // The command line's last resort: any failure becomes one line on stderr and an exit code.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var (code, message) = CommandFailure.Describe(command, ex);
            await Console.Error.WriteLineAsync(message);
            if (verbose)
                await Console.Error.WriteLineAsync(ex.ToString());
            return code;
        }
    }

    private static async Task<int> RunAsync(string command, string[] rest, bool verbose)
    {
        using var cts = new CancellationTokenSource();
        if (command != "run") // the job host stops on Ctrl+C by itself
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        switch (command)
        {
            case "run":
            {
                var builder = WorkerHost.CreateBuilder(rest, runJobServer: true);
                var explicitInMemory = string.Equals(builder.Configuration["Catalyst:Jobs:Storage"], JobsRegistration.InMemoryStorage, StringComparison.OrdinalIgnoreCase);
                if (explicitInMemory)
                {
                    // A smoke test of the host (and a way to run one-off work by hand): the queue lives in
                    // this process only, so nothing a Portal enqueues reaches it.
                    await Console.Error.WriteLineAsync(
                        "Warning: Catalyst:Jobs:Storage=InMemory: this worker sees only its own recurring jobs, not what a Portal enqueues.");
                }
                else if (JobsRegistration.StorageKind(builder.Configuration) != JobsRegistration.SqlServerStorage)
                {
                    await Console.Error.WriteLineAsync(
                        "The worker host needs shared job storage: set Database:Provider=SqlServer (or Catalyst:Jobs:Storage=SqlServer). " +
                        "In the embedded default the Portal runs jobs itself (Catalyst:Jobs:Storage=InMemory runs this host alone, for a smoke test).");
                    return ExitCodes.Usage;
                }
                using var host = builder.Build();
                // Settings first, so a bad one ends the process with one message rather than a host start-up failure.
                host.Services.GetService<IStartupValidator>()?.Validate();
                await host.RunAsync();
                return ExitCodes.Ok;
            }
            case "help":
                await Console.Out.WriteAsync(Usage);
                return ExitCodes.Ok;
            case "migrate-db":
            {
                using var host = BuildCommandHost(rest, verbose);
                return await MigrateDatabaseCommand.RunAsync(host.Services, cts.Token);
            }
            case "verify-backup":
                return await VerifyBackupCommand.RunAsync(rest, cts.Token);
            case "verify-storage":
            case "gc-storage":
            case "rebuild-index":
            case "repack":
            {
                using var host = BuildCommandHost(rest.Where(a => !a.StartsWith("--rebuild", StringComparison.Ordinal) && !a.StartsWith("--deep", StringComparison.Ordinal)).ToArray(), verbose);
                if (!await SchemaCheck.IsCurrentAsync(host.Services, cts.Token))
                    return ExitCodes.NotFound;
                return command switch
                {
                    "gc-storage" => await StorageCommands.CollectAsync(host.Services, cts.Token),
                    "rebuild-index" => await StorageCommands.RebuildIndexAsync(host.Services, cts.Token),
                    "repack" => await StorageCommands.RepackAsync(host.Services, cts.Token),
                    _ => await StorageCommands.VerifyAsync(host.Services, rest, cts.Token),
                };
            }
            case "copy-store":
            {
                var builder = WorkerHost.CreateBuilder(rest.Where(a => a != "--verify-existing").ToArray(), runJobServer: false, Logging(verbose));
                using var host = builder.Build();
                host.Services.GetService<IStartupValidator>()?.Validate();
                if (!await SchemaCheck.IsCurrentAsync(host.Services, cts.Token))
                    return ExitCodes.NotFound;
                return await CopyStoreCommand.RunAsync(host.Services, builder.Configuration, builder.Environment.ContentRootPath, rest.Contains("--verify-existing"), cts.Token);
            }
            case "import-legacy":
            case "verify-legacy":
            case "rollback-legacy":
            {
                // Only --Key=value settings configure the host; the rest are the command's own arguments.
                using var host = BuildCommandHost(rest.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal)).ToArray(), verbose);
                if (!await SchemaCheck.IsCurrentAsync(host.Services, cts.Token))
                    return ExitCodes.NotFound;
                var console = Spectre.Console.AnsiConsole.Console;
                return command switch
                {
                    "import-legacy" => await LegacyImportCommands.ImportAsync(host.Services, rest, console, cts.Token),
                    "verify-legacy" => await LegacyImportCommands.VerifyAsync(host.Services, rest, console, cts.Token),
                    _ => await LegacyImportCommands.RollbackAsync(host.Services, rest, console, cts.Token),
                };
            }
            default:
                throw new CommandException(ExitCodes.Usage, $"Unknown command '{command}'. `help` lists the commands.");
        }
    }

    private static WorkerLogging Logging(bool verbose) => verbose ? WorkerLogging.Verbose : WorkerLogging.Command;

    /// <summary>A command's host: no job server, quiet logging, and the settings checked before the command touches anything.</summary>
    private static IHost BuildCommandHost(string[] args, bool verbose)
    {
        var host = WorkerHost.CreateBuilder(args, runJobServer: false, Logging(verbose)).Build();
        try
        {
            host.Services.GetService<IStartupValidator>()?.Validate();
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }
}
