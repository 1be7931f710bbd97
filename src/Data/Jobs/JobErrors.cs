using Catalyst.Data.Common;

namespace Catalyst.Data.Jobs;

/// <summary>
/// What a user reads when a job fails (SPEC §16): a domain error's own sentence, and for anything
/// else (a database, store or programming fault) one sentence with a reference, never the
/// exception's text. The caller logs the exception with the same reference.
/// </summary>
public static class JobErrors
{
    public static string ForUser(Exception exception, Guid reference) => exception switch
    {
        ValidationFailedException invalid => string.Join(" ", invalid.Errors.Values.SelectMany(messages => messages)),
        DomainException domain => domain.Message,
        AggregateException { InnerExceptions: [var single] } => ForUser(single, reference),
        _ => Internal(reference),
    };

    public static string Internal(Guid reference) => $"The job failed because of an internal error (reference {reference}).";
}
