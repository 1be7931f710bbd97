namespace Catalyst.Data.Common;

/// <summary>
/// Errors a service raises on purpose. One handler in the portal maps each to problem details
/// with a stable <see cref="Code"/>; pages show <see cref="ValidationFailedException.Errors"/>
/// next to their fields.
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

/// <summary>The client's If-Match names a version that is no longer current.</summary>
public sealed class VersionConflictException(long currentVersion)
    : DomainException("version_conflict", $"The resource has changed; the current version is {currentVersion}.")
{
    public long CurrentVersion { get; } = currentVersion;
}

/// <summary>A write to a versioned resource came without If-Match.</summary>
public sealed class PreconditionRequiredException()
    : DomainException("precondition_required", "This request must carry an If-Match header with the resource's ETag.");

public sealed class ConflictException(string code, string message) : DomainException(code, message);

public sealed class ForbiddenException(string message = "You are not allowed to do this.")
    : DomainException("forbidden", message);

/// <summary>A refusal with its own HTTP status (protocol rules such as tus's 409, 410, 413, 423, 460).</summary>
public sealed class StatusDomainException(int status, string code, string message, TimeSpan? retryAfter = null) : DomainException(code, message)
{
    public int Status { get; } = status;
    /// <summary>When set, the answer carries <c>Retry-After</c> (whole seconds, at least 1).</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>A write would take the user past their storage quota (SPEC §6).</summary>
public sealed class QuotaExceededException(long used, long limit, long requested)
    : DomainException("quota_exceeded", $"This would exceed your storage quota: {requested} more bytes, with {used} of {limit} bytes in use.")
{
    public long Used { get; } = used;
    public long Limit { get; } = limit;
    public long Requested { get; } = requested;
}
