using System.Threading.RateLimiting;
using Catalyst.Data.Configuration;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Catalyst.Portal.Infrastructure;

/// <summary>
/// Rate limits for password sign-in (SPEC §16): per client address through the ASP.NET Core
/// rate-limiting middleware (policy <see cref="PolicyName"/>), and per account here, because the
/// account is only known once the form or JSON body has been read. Lockout (5 failures) still
/// comes first for one account: the per-account limit is higher.
/// </summary>
public sealed class SignInThrottle : IDisposable
{
    public const string PolicyName = "sign-in";
    private readonly PartitionedRateLimiter<string> _perAccount;

    public SignInThrottle(IOptions<CatalystOptions> options)
    {
        var limit = options.Value.SignIn.PerAccountPerMinute;
        _perAccount = PartitionedRateLimiter.Create<string, string>(account =>
            RateLimitPartition.GetFixedWindowLimiter(account, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limit,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            }));
    }

    /// <summary>Takes one attempt for the account; null when allowed, otherwise how long to wait.</summary>
    public TimeSpan? TryAcquire(string? email)
    {
        var key = (email ?? "").Trim().ToUpperInvariant();
        using var lease = _perAccount.AttemptAcquire(key);
        if (lease.IsAcquired)
            return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : TimeSpan.FromMinutes(1);
    }

    public void Dispose() => _perAccount.Dispose();

    public static void AddPolicy(RateLimiterOptions limiter, CatalystOptions options)
    {
        var perAddress = options.SignIn.PerAddressPerMinute;
        limiter.AddPolicy(PolicyName, context =>
            // Showing the sign-in or registration form is not an attempt; only submitting it is.
            HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
                ? RateLimitPartition.GetNoLimiter("view")
                : RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = perAddress, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
    }
}
