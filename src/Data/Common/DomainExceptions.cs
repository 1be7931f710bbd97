namespace Catalyst.Data.Common;

/// <summary>
/// Errors a service raises on purpose. Each type says what went wrong in the domain's terms and
/// carries a stable <see cref="Code"/>; none knows about HTTP. One mapper in the portal
/// (ApiExceptionHandler.Map) turns each type into its status and problem details; pages show
/// <see cref="ValidationFailedException.Errors"/> next to their fields.
/// </summary>
public abstract class DomainException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

public sealed class NotFoundException(string resource)
    : DomainException("not_found", $"{resource} was not found.");

public sealed class ValidationFailedException(IReadOnlyDictionary<string, string[]> errors)
    : DomainException("validation_failed", "One or more fields are invalid.")
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    public static ValidationFailedException For(string field, string message) =>
        new(new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>A document the caller sent is not well-formed JSON (as opposed to well-formed but invalid: <see cref="ValidationFailedException"/>).</summary>
public sealed class MalformedJsonException(string message) : DomainException("malformed_json", message);

/// <summary>The client's If-Match names a version that is no longer current.</summary>
public sealed class VersionConflictException(long currentVersion)
    : DomainException("version_conflict", $"The resource has changed; the current version is {currentVersion}.")
{
    public long CurrentVersion { get; } = currentVersion;
}

/// <summary>A write to a versioned resource came without If-Match.</summary>
public sealed class PreconditionRequiredException()
    : DomainException("precondition_required", "This request must carry an If-Match header with the resource's ETag.");

/// <summary>The request contradicts the resource's current state (already done, wrong offset, own project...).</summary>
public sealed class ConflictException(string code, string message) : DomainException(code, message);

/// <summary>The caller could not be identified: a credential was missing, invalid, expired or revoked.</summary>
public sealed class UnauthenticatedException(string message) : DomainException("unauthorized", message);

/// <summary>The caller is known but may not do this (a role, a signature that does not match, a grant for something else).</summary>
public sealed class ForbiddenException(string message = "You are not allowed to do this.", string code = "forbidden")
    : DomainException(code, message);

/// <summary>The resource existed but is over for good: expired, used up, revoked, or its target deleted.</summary>
public sealed class GoneException(string code, string message) : DomainException(code, message);

/// <summary>Something the caller sent is bigger than the rules allow (a declared length, a body, a token, a section).</summary>
public sealed class TooLargeException(string code, string message) : DomainException(code, message);

/// <summary>
/// Someone else is working on the resource right now; retrying after <see cref="RetryAfter"/> is
/// expected to succeed.
/// </summary>
public sealed class LockedException(string code, string message, TimeSpan? retryAfter = null) : DomainException(code, message)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>The bytes received do not have the checksum the client announced; none of them were kept.</summary>
public sealed class ChecksumMismatchException(string message) : DomainException("checksum_mismatch", message);

/// <summary>The payment provider refused a charge or a refund.</summary>
public sealed class PaymentDeclinedException(string code, string message) : DomainException(code, message);

/// <summary>A write would take the user past their storage quota (SPEC §6).</summary>
public sealed class QuotaExceededException(long used, long limit, long requested)
    : DomainException("quota_exceeded", $"This would exceed your storage quota: {requested} more bytes, with {used} of {limit} bytes in use.")
{
    public long Used { get; } = used;
    public long Limit { get; } = limit;
    public long Requested { get; } = requested;
}
