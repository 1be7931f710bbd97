using Catalyst.Data.Outbox;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Deployments;

/// <summary>Section <c>Catalyst:Deployments</c>: where deliveries may go and how they are retried (SPEC §9, §14).</summary>
public sealed class DeploymentOptions
{
    public const string Section = "Catalyst:Deployments";

    /// <summary>
    /// Development and tests only: lets endpoints be plain http and resolve to loopback, private or
    /// link-local addresses. Off, an endpoint must be https and every address it resolves to public.
    /// </summary>
    public bool AllowPrivateEndpoints { get; set; }
    /// <summary>Wait after the first failed attempt; it doubles after each failure (1, 2, 4, 8, 16 s).</summary>
    public double RetryBaseSeconds { get; set; } = 1;
    /// <summary>The longest wait between two attempts (before jitter).</summary>
    public double RetryCapSeconds { get; set; } = 32;
    /// <summary>Retries after the first attempt; then the run fails and can be retried by hand.</summary>
    public int MaxRetries { get; set; } = 5;
    /// <summary>Each wait is changed by up to this fraction either way.</summary>
    public double RetryJitter { get; set; } = 0.2;
    /// <summary>A receiver's Retry-After is honoured up to this many seconds.</summary>
    public double MaxRetryAfterSeconds { get; set; } = 3600;
    /// <summary>How long one attempt may take, body included.</summary>
    public double AttemptTimeoutSeconds { get; set; } = 100;

    public RetryPolicy RetryPolicy => new(TimeSpan.FromSeconds(RetryBaseSeconds), TimeSpan.FromSeconds(RetryCapSeconds), MaxRetries, RetryJitter,
        TimeSpan.FromSeconds(MaxRetryAfterSeconds));
}

public sealed class DeploymentOptionsValidator : IValidateOptions<DeploymentOptions>
{
    public ValidateOptionsResult Validate(string? name, DeploymentOptions options)
    {
        var failures = new List<string>();
        if (options.RetryBaseSeconds is <= 0 or > 3600)
            failures.Add("Catalyst:Deployments:RetryBaseSeconds must be more than 0 and at most 3600.");
        if (options.RetryCapSeconds < options.RetryBaseSeconds || options.RetryCapSeconds > 86400)
            failures.Add("Catalyst:Deployments:RetryCapSeconds must be at least Catalyst:Deployments:RetryBaseSeconds and at most 86400.");
        if (options.MaxRetries is < 0 or > 20)
            failures.Add("Catalyst:Deployments:MaxRetries must be between 0 and 20.");
        if (options.RetryJitter is < 0 or >= 1)
            failures.Add("Catalyst:Deployments:RetryJitter must be at least 0 and less than 1.");
        if (options.MaxRetryAfterSeconds is < 0 or > 86400)
            failures.Add("Catalyst:Deployments:MaxRetryAfterSeconds must be between 0 and 86400.");
        if (options.AttemptTimeoutSeconds is < 1 or > 3600)
            failures.Add("Catalyst:Deployments:AttemptTimeoutSeconds must be between 1 and 3600.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
