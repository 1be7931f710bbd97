using Catalyst.Data.Backups;
using Catalyst.Data.Common;
using Catalyst.Data.Deployments;
using Catalyst.Data.Secrets;
using Catalyst.Portal.Infrastructure;

namespace Catalyst.Tests.Unit.Foundation;

/// <summary>
/// Services raise typed domain errors that know nothing of HTTP; <see cref="ApiExceptionHandler.Map"/>
/// alone gives each its status. These are the statuses and codes the API has always answered.
/// </summary>
public class DomainErrorMappingTests
{
    private static readonly (DomainException Error, int Status, string Code)[] Examples =
    [
        (ValidationFailedException.For("name", "Name is required."), 400, "validation_failed"),
        (new MalformedJsonException("The body is not valid JSON."), 400, "malformed_json"),
        (new UnauthenticatedException("The bearer token is invalid, expired or revoked."), 401, "unauthorized"),
        (new PaymentDeclinedException("payment_declined", "Card declined."), 402, "payment_declined"),
        (new PaymentDeclinedException("refund_declined", "Refund declined."), 402, "refund_declined"),
        (new ForbiddenException(), 403, "forbidden"),
        (new ForbiddenException("This URL was altered.", "presign_invalid"), 403, "presign_invalid"),
        (new NotFoundException("Upload"), 404, "not_found"),
        (new ConflictException("offset_mismatch", "The upload is at offset 5."), 409, "offset_mismatch"),
        (new GoneException("upload_expired", "The upload expired."), 410, "upload_expired"),
        (new GoneException("cursor_expired", "Sync again."), 410, "cursor_expired"),
        (new VersionConflictException(3), 412, "version_conflict"),
        (new TooLargeException("upload_too_large", "Uploads are limited."), 413, "upload_too_large"),
        (new TooLargeException("token_too_large", "A token is too large."), 413, "token_too_large"),
        (new QuotaExceededException(90, 100, 20), 413, "quota_exceeded"),
        (new UnsupportedMediaTypeException("Send JSON."), 415, "unsupported_media_type"),
        (new LockedException("upload_locked", "Retry shortly.", TimeSpan.FromSeconds(2)), 423, "upload_locked"),
        (new PreconditionRequiredException(), 428, "precondition_required"),
        (new ChecksumMismatchException("The checksum does not match."), 460, "checksum_mismatch"),
        // Handled where they are raised (jobs, deliveries, the vault); one reaching a request is a fault.
        (new SecretTamperedException(Guid.Empty), 500, "internal_error"),
        (new BackupInvalidException("Not a backup."), 500, "internal_error"),
        (new EndpointRefusedException("Loopback is not allowed."), 500, "internal_error"),
    ];

    public static TheoryData<string, int, string> Cases()
    {
        var data = new TheoryData<string, int, string>();
        for (var i = 0; i < Examples.Length; i++)
            data.Add($"{Examples[i].Error.GetType().Name} {Examples[i].Code}", Examples[i].Status, Examples[i].Code);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_domain_error_maps_to_its_status_and_stable_code(string example, int status, string code)
    {
        var error = Examples.Single(e => $"{e.Error.GetType().Name} {e.Code}" == example).Error;

        var problem = ApiExceptionHandler.Map(error);

        Assert.Equal(status, problem.Status);
        Assert.Equal(code, problem.Extensions["code"]);
        if (status < 500)
            Assert.Equal(error.Message, problem.Detail);
        Assert.False(string.IsNullOrEmpty(problem.Title));
    }

    [Fact]
    public void Every_domain_error_type_has_its_answer_stated_here()
    {
        var types = new[] { typeof(DomainException).Assembly, typeof(ApiExceptionHandler).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => t.IsSubclassOf(typeof(DomainException)) && !t.IsAbstract)
            .ToList();

        Assert.NotEmpty(types);
        foreach (var type in types)
            Assert.True(Examples.Any(e => e.Error.GetType() == type), $"{type.Name} has no example here: add one, with the status ApiExceptionHandler.Map gives it.");
    }

    [Fact]
    public void Validation_errors_carry_their_fields()
    {
        var problem = ApiExceptionHandler.Map(ValidationFailedException.For("length", "The upload length must be a non-negative integer."));

        var errors = Assert.IsAssignableFrom<IReadOnlyDictionary<string, string[]>>(problem.Extensions["errors"]);
        Assert.Equal(["The upload length must be a non-negative integer."], errors["length"]);
    }

    [Fact]
    public void Data_references_no_HTTP_part_of_ASP_NET_Core()
    {
        // Identity's stores and DataProtection's key ring are not HTTP; everything else under Microsoft.AspNetCore is.
        string[] allowed = ["Microsoft.AspNetCore.Identity", "Microsoft.AspNetCore.DataProtection", "Microsoft.AspNetCore.Cryptography"];

        var http = typeof(DomainException).Assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) && !allowed.Any(n.StartsWith))
            .ToList();

        Assert.Empty(http);
    }
}
