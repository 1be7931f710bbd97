using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Catalyst.Data.Observability;

/// <summary>
/// A span and a duration for every EF Core command. The NuGet mirror has no
/// OpenTelemetry.Instrumentation.EntityFrameworkCore, so this interceptor is the instrumentation:
/// it works the same for SQLite and SQL Server and records the statement's kind, never its parameters.
/// </summary>
public sealed class DbCommandTelemetry : DbCommandInterceptor
{
    public static readonly DbCommandTelemetry Instance = new();
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbCommand, Activity> Running = new();

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Start(command, eventData);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Start(command, eventData);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Start(command, eventData);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Start(command, eventData);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Start(command, eventData);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Start(command, eventData);
        return ValueTask.FromResult(result);
    }

    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        Stop(command, eventData.Duration, null);
        return result;
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
        CancellationToken cancellationToken = default)
    {
        Stop(command, eventData.Duration, null);
        return ValueTask.FromResult(result);
    }

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Stop(command, eventData.Duration, null);
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Stop(command, eventData.Duration, null);
        return ValueTask.FromResult(result);
    }

    public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        Stop(command, eventData.Duration, null);
        return result;
    }

    public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        Stop(command, eventData.Duration, null);
        return ValueTask.FromResult(result);
    }

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Stop(command, eventData.Duration, eventData.Exception);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Stop(command, eventData.Duration, eventData.Exception);
        return Task.CompletedTask;
    }

    private static void Start(DbCommand command, CommandEventData eventData)
    {
        var activity = CatalystTelemetry.Data.StartActivity("db " + Operation(command.CommandText), ActivityKind.Client);
        if (activity is null)
            return;
        activity.SetTag("db.system", eventData.Context?.Database.ProviderName?.Contains("Sqlite", StringComparison.Ordinal) == true ? "sqlite" : "mssql");
        activity.SetTag("db.operation.name", Operation(command.CommandText));
        Running.AddOrUpdate(command, activity);
    }

    private static void Stop(DbCommand command, TimeSpan duration, Exception? error)
    {
        var operation = Operation(command.CommandText);
        CatalystTelemetry.DbCommandDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("db.operation.name", operation),
            new KeyValuePair<string, object?>("error", error is not null));
        if (!Running.TryGetValue(command, out var activity))
            return;
        Running.Remove(command);
        if (error is not null)
            activity.SetStatus(ActivityStatusCode.Error, error.GetType().Name);
        activity.Dispose();
    }

    /// <summary>The statement's first keyword (SELECT, INSERT, …): enough to group by, nothing from the data.</summary>
    private static string Operation(string text)
    {
        var span = text.AsSpan().TrimStart();
        var end = span.IndexOfAny(' ', '\n', '\r');
        var word = end < 0 ? span : span[..end];
        return word.Length is > 0 and <= 16 ? word.ToString().ToUpperInvariant() : "SQL";
    }
}
