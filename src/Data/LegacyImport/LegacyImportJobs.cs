using System.Text.Json;
using Catalyst.Data;
using Catalyst.Data.Common;
using Catalyst.Data.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.LegacyImport;

/// <summary>The input of every legacy import job: the migration it works on (stored as JSON: the property keeps its name).</summary>
public sealed record LegacyImportJobInput(Guid MigrationId);

// The kinds keep the values JobRuns in the database already carry (legacy-migration, legacy-verify, legacy-rollback).

/// <summary>Shared by the three legacy jobs: reads the input, reports progress, marks the migration failed when the job fails.</summary>
public abstract class LegacyImportJobBase(CatalystDbContext db, LegacyImportService migrations, JobProgress progress) : IJob
{
    public async Task<object?> RunAsync(Guid jobRunId, CancellationToken ct)
    {
        var run = await db.JobRuns.AsNoTracking().SingleAsync(r => r.Id == jobRunId, ct);
        var input = JsonSerializer.Deserialize<LegacyImportJobInput>(run.Input!, JsonSerializerOptions.Web)!;
        try
        {
            await RunAsync(migrations, input.MigrationId, (done, total) => progress.ReportAsync(jobRunId, done, total, ct), ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ex is not ConflictException)
        {
            // The JobRunner logs the exception under the run's id.
            await migrations.MarkFailedAsync(input.MigrationId, JobErrors.ForUser(ex, jobRunId), CancellationToken.None);
            throw;
        }
        // The JobRun's result is the migration id (SPEC §11); its report is at /api/migrations/{id}.
        return input.MigrationId;
    }

    protected abstract Task RunAsync(LegacyImportService migrations, Guid migrationId, Func<long, long, Task> progress, CancellationToken ct);
}

/// <summary>Dry run or apply, as the migration was created. A retried or restarted run completes what was written (source keys).</summary>
public sealed class LegacyImportJob(CatalystDbContext db, LegacyImportService migrations, JobProgress progress) : LegacyImportJobBase(db, migrations, progress)
{
    public const string Kind = "legacy-migration";
    public const string DisplayName = "Legacy import";

    protected override Task RunAsync(LegacyImportService migrations, Guid migrationId, Func<long, long, Task> progress, CancellationToken ct) =>
        migrations.RunAsync(migrationId, progress, ct);
}

/// <summary>Recounts what an applied migration landed and re-hashes its blobs.</summary>
public sealed class LegacyImportVerificationJob(CatalystDbContext db, LegacyImportService migrations, JobProgress progress) : LegacyImportJobBase(db, migrations, progress)
{
    public const string Kind = "legacy-verify";
    public const string DisplayName = "Legacy import verification";

    protected override Task RunAsync(LegacyImportService migrations, Guid migrationId, Func<long, long, Task> progress, CancellationToken ct) =>
        migrations.VerifyAsync(migrationId, progress, ct);
}

/// <summary>Removes exactly what a migration added and restores what it changed.</summary>
public sealed class LegacyImportRollbackJob(CatalystDbContext db, LegacyImportService migrations, JobProgress progress) : LegacyImportJobBase(db, migrations, progress)
{
    public const string Kind = "legacy-rollback";
    public const string DisplayName = "Legacy import rollback";

    protected override Task RunAsync(LegacyImportService migrations, Guid migrationId, Func<long, long, Task> progress, CancellationToken ct) =>
        migrations.RollbackAsync(migrationId, progress, ct);
}
