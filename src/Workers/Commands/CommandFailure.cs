using System.Data.Common;
using System.Text.RegularExpressions;
using Catalyst.Data.Common;
using Microsoft.Extensions.Options;

namespace Catalyst.Workers.Commands;

/// <summary>Exit codes of the command line.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>A bad setting, a database or file that cannot be used, anything unexpected.</summary>
    public const int Failed = 1;
    /// <summary>Bad arguments: an unknown command, a missing file, a malformed id, input the service refused.</summary>
    public const int Usage = 2;
    /// <summary>A verification found problems.</summary>
    public const int CheckFailed = 3;
    /// <summary>What the arguments name does not exist (a user, a migration), or the schema is not current.</summary>
    public const int NotFound = 4;
    public const int Cancelled = 130;
}

/// <summary>A command's own refusal: the message is the one line the operator reads on stderr.</summary>
public sealed class CommandException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>
/// Turns whatever ended a command into its exit code and one line for stderr. Every command's
/// failures pass through here (Program.Main catches them all), so an operator never meets a stack
/// trace or an unhandled-exception abort; <c>--verbose</c> prints the exception after the line.
/// </summary>
public static partial class CommandFailure
{
    public static (int ExitCode, string Message) Describe(string command, Exception exception)
    {
        var (code, message) = Classify(command, exception);
        return (code, OneLine(message));
    }

    private static (int, string) Classify(string command, Exception exception)
    {
        if (Find<CommandException>(exception) is { } refused)
            return (refused.ExitCode, refused.Message);
        var settings = Flatten(exception).OfType<OptionsValidationException>().ToList();
        if (settings.Count > 0)
            return (ExitCodes.Failed, "Configuration error: " + string.Join(" ", settings.SelectMany(s => s.Failures).Distinct()));
        if (Find<OperationCanceledException>(exception) is not null)
            return (ExitCodes.Cancelled, $"{command} was cancelled.");
        if (Find<DbException>(exception) is { } database)
            return (ExitCodes.Failed, $"The database could not be used: {database.Message}");
        return Find<Exception>(exception, e => e is DomainException or IOException or UnauthorizedAccessException) switch
        {
            NotFoundException notFound => (ExitCodes.NotFound, notFound.Message),
            ValidationFailedException invalid => (ExitCodes.Usage, string.Join(" ", invalid.Errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}")))),
            DomainException domain => (ExitCodes.Usage, domain.Message),
            FileNotFoundException missing => (ExitCodes.Usage, $"No such file: {missing.FileName ?? missing.Message}"),
            DirectoryNotFoundException missing => (ExitCodes.Usage, missing.Message),
            { } io => (ExitCodes.Failed, io.Message),
            null => (ExitCodes.Failed, $"{command} failed: {Innermost(exception).Message} (run it again with --verbose for the details)"),
        };
    }

    private static IEnumerable<Exception> Flatten(Exception exception)
    {
        var pending = new Stack<Exception>([exception]);
        while (pending.TryPop(out var current))
        {
            yield return current;
            if (current is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions)
                    pending.Push(inner);
            else if (current.InnerException is { } inner)
                pending.Push(inner);
        }
    }

    private static T? Find<T>(Exception exception, Func<T, bool>? match = null) where T : Exception =>
        Flatten(exception).OfType<T>().FirstOrDefault(e => match?.Invoke(e) ?? true);

    private static Exception Innermost(Exception exception) =>
        exception is AggregateException { InnerExceptions.Count: 1 } or System.Reflection.TargetInvocationException && exception.InnerException is { } inner
            ? Innermost(inner)
            : exception;

    private static string OneLine(string text) => LineBreaks().Replace(text, " ").Trim();

    [GeneratedRegex(@"\s*[\r\n]+\s*")]
    private static partial Regex LineBreaks();
}
