using Catalyst.Data;
using Catalyst.Data.Common;
using Catalyst.Data.Jobs;
using Catalyst.Data.LegacyImport;
using Catalyst.Data.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Catalyst.Workers.Commands;

/// <summary>
/// <c>import-legacy --user EMAIL [--dry-run] FILES...</c>, <c>verify-legacy ID</c>, <c>rollback-legacy ID</c>:
/// the legacy migration of SPEC §11 from the command line, against the same database and store as
/// the Portal, with a live progress bar and the report as tables. Exit codes: 0 done, 2 usage,
/// 3 verification found mismatches, 4 not found (refusals are <see cref="CommandException"/>s,
/// one line on stderr).
/// </summary>
public static class LegacyImportCommands
{
    public static async Task<int> ImportAsync(IServiceProvider services, string[] args, IAnsiConsole console, CancellationToken ct)
    {
        string? email = null;
        var dryRun = false;
        var paths = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--user" && i + 1 < args.Length) email = args[++i];
            else if (args[i] == "--dry-run") dryRun = true;
            else if (!args[i].StartsWith("--", StringComparison.Ordinal)) paths.Add(args[i]);
        }
        if (email is null || paths.Count == 0)
            throw new CommandException(ExitCodes.Usage, "Usage: import-legacy --user EMAIL [--dry-run] FILES...");
        var missing = paths.Where(p => !File.Exists(p)).ToList();
        if (missing.Count > 0)
            throw new CommandException(ExitCodes.Usage, $"No such file: {string.Join(", ", missing)}");

        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<CatalystDbContext>();
        var normalized = email.Trim().ToUpperInvariant();
        var user = await db.Users.AsNoTracking().Where(u => u.NormalizedEmail == normalized).Select(u => new { u.Id, u.Email }).FirstOrDefaultAsync(ct);
        if (user is null)
            throw new CommandException(ExitCodes.NotFound, $"No user with the e-mail {email}.");
        var actor = new Actor(user.Id, user.Email ?? email, IsAdmin: false);
        var content = sp.GetRequiredService<ContentStore>();
        var inputs = new List<LegacyInputFile>();
        foreach (var path in paths)
        {
            await using var file = File.OpenRead(path);
            var blob = await content.WriteAsync(file, ct);
            inputs.Add(new LegacyInputFile(Path.GetFileName(path), blob.Sha256, blob.Length));
        }
        var migrations = sp.GetRequiredService<LegacyImportService>();
        var migration = await migrations.CreateAsync(actor, user.Id, inputs, dryRun, ct);
        console.MarkupLineInterpolated($"Migration [bold]{migration.Id}[/] ({(dryRun ? "dry run" : "apply")}) for {user.Email}, {inputs.Count} file(s).");

        LegacyReport? report = null;
        try
        {
            await WithProgressAsync(console, dryRun ? "Dry run" : "Applying", async progress => report = await migrations.RunAsync(migration.Id, progress, ct));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The report shows a sentence; the operator sees the failure here (with --verbose, all of it).
            await migrations.MarkFailedAsync(migration.Id, JobErrors.ForUser(ex, migration.Id), CancellationToken.None);
            throw;
        }
        Print(console, report!);
        return 0;
    }

    public static async Task<int> VerifyAsync(IServiceProvider services, string[] args, IAnsiConsole console, CancellationToken ct)
    {
        var id = ParseId(args, "verify-legacy");
        await using var scope = services.CreateAsyncScope();
        var migrations = scope.ServiceProvider.GetRequiredService<LegacyImportService>();
        try
        {
            LegacyVerification? verification = null;
            await WithProgressAsync(console, "Verifying", async progress => verification = await migrations.VerifyAsync(id, progress, ct));
            var db = scope.ServiceProvider.GetRequiredService<CatalystDbContext>();
            Print(console, LegacyImportService.ReportOf(await db.Set<LegacyImportMigration>().AsNoTracking().SingleAsync(m => m.Id == id, ct)));
            return verification!.Passed ? 0 : 3;
        }
        catch (NotFoundException)
        {
            throw new CommandException(ExitCodes.NotFound, $"No migration {id}.");
        }
    }

    public static async Task<int> RollbackAsync(IServiceProvider services, string[] args, IAnsiConsole console, CancellationToken ct)
    {
        var id = ParseId(args, "rollback-legacy");
        await using var scope = services.CreateAsyncScope();
        var migrations = scope.ServiceProvider.GetRequiredService<LegacyImportService>();
        try
        {
            await WithProgressAsync(console, "Rolling back", progress => migrations.RollbackAsync(id, progress, ct));
            console.MarkupLineInterpolated($"Migration [bold]{id}[/] rolled back.");
            return 0;
        }
        catch (NotFoundException)
        {
            throw new CommandException(ExitCodes.NotFound, $"No migration {id}.");
        }
    }

    private static Guid ParseId(string[] args, string command) =>
        args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) switch
        {
            null => throw new CommandException(ExitCodes.Usage, $"Usage: {command} MIGRATION-ID"),
            var text when Guid.TryParse(text, out var id) => id,
            var text => throw new CommandException(ExitCodes.Usage, $"'{text}' is not a migration id (a GUID). Usage: {command} MIGRATION-ID"),
        };

    private static Task WithProgressAsync(IAnsiConsole console, string what, Func<Func<long, long, Task>, Task> work) =>
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(what);
                await work((done, total) =>
                {
                    task.MaxValue = Math.Max(1, total);
                    task.Value = Math.Min(done, task.MaxValue);
                    return Task.CompletedTask;
                });
                task.Value = task.MaxValue;
            });

    /// <summary>The report as tables: per table counts, blobs, problems (and the verification once run).</summary>
    public static void Print(IAnsiConsole console, LegacyReport report)
    {
        console.MarkupLineInterpolated($"Status: [bold]{report.Status}[/] ({report.Mode})");
        var tables = new Table().Title("Tables").AddColumns("Database", "Table", "Source", "Imported", "Skipped", "Failed");
        foreach (var t in report.Tables)
            tables.AddRow(Markup.Escape(t.Database), Markup.Escape(t.Table), t.Source.ToString(), t.Imported.ToString(), t.Skipped.ToString(), t.Failed.ToString());
        tables.AddRow("[bold]total[/]", "", report.Tables.Sum(t => t.Source).ToString(), report.Tables.Sum(t => t.Imported).ToString(),
            report.Tables.Sum(t => t.Skipped).ToString(), report.Tables.Sum(t => t.Failed).ToString());
        console.Write(tables);
        console.Write(new Table().Title("Blobs").AddColumns("Source", "Imported", "Bytes")
            .AddRow(report.Blobs.Source.ToString(), report.Blobs.Imported.ToString(), report.Blobs.Bytes.ToString()));
        if (report.Problems.Count > 0)
        {
            var problems = new Table().Title($"Problems ({report.Problems.Count})").AddColumns("Database", "Table", "Key", "Message");
            foreach (var p in report.Problems)
                problems.AddRow(Markup.Escape(p.Database), Markup.Escape(p.Table), Markup.Escape(p.Key ?? ""), Markup.Escape(p.Message));
            console.Write(problems);
        }
        if (report.Verification is { } v)
        {
            console.MarkupLineInterpolated($"Verification: {(v.Passed ? "passed" : "FAILED")}, {v.RowsChecked} rows and {v.BlobsChecked} blobs checked.");
            foreach (var mismatch in v.Mismatches)
                console.MarkupLineInterpolated($"  [red]-[/] {mismatch}");
        }
    }
}
