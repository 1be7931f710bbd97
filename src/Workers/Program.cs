using Catalyst.Workers.Commands;
using Catalyst.Workers.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Catalyst.Workers;

// The worker process and the command line: `dotnet run --project src/Workers` runs jobs
// (production, against SQL Server); `-- migrate-db` applies the schema.
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var command = args.FirstOrDefault(a => !a.StartsWith('-')) ?? "run";
        var rest = args.Where(a => a != command).ToArray();

        try
        {
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
                        return 2;
                    }
                    using var host = builder.Build();
                    // Settings first, so a bad one ends the process with one message rather than a host start-up failure.
                    host.Services.GetService<IStartupValidator>()?.Validate();
                    await host.RunAsync();
                    return 0;
                }
                case "migrate-db":
                {
                    using var host = WorkerHost.CreateBuilder(rest, runJobServer: false).Build();
                    using var cts = new CancellationTokenSource();
                    Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
                    return await MigrateDatabaseCommand.RunAsync(host.Services, cts.Token);
                }
                case "verify-backup":
                {
                    using var cts = new CancellationTokenSource();
                    Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
                    return await VerifyBackupCommand.RunAsync(rest, cts.Token);
                }
                case "verify-storage":
                case "gc-storage":
                {
                    using var host = WorkerHost.CreateBuilder(rest.Where(a => !a.StartsWith("--rebuild", StringComparison.Ordinal) && !a.StartsWith("--deep", StringComparison.Ordinal)).ToArray(), runJobServer: false).Build();
                    using var cts = new CancellationTokenSource();
                    Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
                    if (!await SchemaCheck.IsCurrentAsync(host.Services, cts.Token))
                        return 4;
                    return command == "gc-storage"
                        ? await StorageCommands.CollectAsync(host.Services, cts.Token)
                        : await StorageCommands.VerifyAsync(host.Services, rest, cts.Token);
                }
                case "copy-store":
                {
                    var builder = WorkerHost.CreateBuilder(rest.Where(a => a != "--verify-existing").ToArray(), runJobServer: false);
                    using var host = builder.Build();
                    using var cts = new CancellationTokenSource();
                    Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
                    if (!await SchemaCheck.IsCurrentAsync(host.Services, cts.Token))
                        return 4;
                    return await CopyStoreCommand.RunAsync(host.Services, builder.Configuration, builder.Environment.ContentRootPath, rest.Contains("--verify-existing"), cts.Token);
                }
                case "import-legacy":
                case "verify-legacy":
                case "rollback-legacy":
                {
                    // Only --Key=value settings configure the host; the rest are the command's own arguments.
                    using var host = WorkerHost.CreateBuilder(rest.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal)).ToArray(), runJobServer: false).Build();
                    using var cts = new CancellationTokenSource();
                    Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
                    if (!await SchemaCheck.IsCurrentAsync(host.Services, cts.Token))
                        return 4;
                    var console = Spectre.Console.AnsiConsole.Console;
                    return command switch
                    {
                        "import-legacy" => await LegacyCommands.ImportAsync(host.Services, rest, console, cts.Token),
                        "verify-legacy" => await LegacyCommands.VerifyAsync(host.Services, rest, console, cts.Token),
                        _ => await LegacyCommands.RollbackAsync(host.Services, rest, console, cts.Token),
                    };
                }
                default:
                    await Console.Error.WriteLineAsync($"""
                        Unknown command '{command}'.
                        Usage: dotnet run --project src/Workers -- <command>
                          run                               run background jobs (needs SQL Server job storage)
                          migrate-db                        apply the database schema and create the admin if there is none
                          verify-storage [--rebuild] [--deep]  check reference counts, chunk indexes and chunk objects
                          gc-storage                        free blobs and chunks nothing references (after the grace period)
                          copy-store --Target:Provider=AzureBlob --Target:AzureBlob:ConnectionString=...
                                     [--Target:AzureBlob:ContainerName=...] [--verify-existing]
                                                            copy every chunk to another store, checking hashes; run again to resume
                          verify-backup FILE                check a website backup or account archive without importing it
                          import-legacy --user EMAIL [--dry-run] FILES...
                                                            migrate legacy browser dumps for a user (SPEC §11)
                          verify-legacy ID                  recount a migration and re-hash its blobs
                          rollback-legacy ID                remove what a migration added, restore what it changed
                        """);
                    return 2;
            }
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync("Configuration error: " + string.Join(" ", ex.Failures));
            return 1;
        }
    }
}
