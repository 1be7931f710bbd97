namespace Catalyst.Data.Marketplace;

/// <summary>What the marketplace asks a payment provider to charge.</summary>
/// <param name="PurchaseId">The purchase being paid; a provider uses it (or the key) to charge once however often it is asked.</param>
/// <param name="IdempotencyKey">The buyer's key when they sent one.</param>
public sealed record PaymentRequest(Guid PurchaseId, Guid BuyerId, Guid ProjectId, long Amount, string Currency, string? IdempotencyKey);

public sealed record RefundRequest(Guid PurchaseId, string? PaymentReference, long Amount, string Currency);

/// <summary>A provider's answer: completed (with its reference for the ledger) or declined with a reason.</summary>
public sealed record PaymentResult(bool Completed, string? Reference, string? DeclineReason = null)
{
    public static PaymentResult Success(string reference) => new(true, reference);
    public static PaymentResult Declined(string reason) => new(false, null, reason);
}

/// <summary>
/// The seam where a card processor plugs in (SPEC §13). The marketplace calls it before it writes
/// the purchase or refund; a declined answer writes nothing and reaches the buyer as 402.
/// </summary>
public interface IPaymentProvider
{
    /// <summary>The name recorded on purchases and revenue events, e.g. <c>Manual</c>.</summary>
    string Name { get; }

    Task<PaymentResult> ChargeAsync(PaymentRequest request, CancellationToken ct);

    Task<PaymentResult> RefundAsync(RefundRequest request, CancellationToken ct);
}

/// <summary>
/// The default provider: no money moves through Catalyst, so every purchase completes at once and
/// the whole flow works on a fresh clone. Settling happens outside (invoice, bank transfer).
/// </summary>
public sealed class ManualPaymentProvider : IPaymentProvider
{
    public const string ProviderName = "Manual";

    public string Name => ProviderName;

    public Task<PaymentResult> ChargeAsync(PaymentRequest request, CancellationToken ct) =>
        Task.FromResult(PaymentResult.Success($"manual-{request.PurchaseId:N}"));

    public Task<PaymentResult> RefundAsync(RefundRequest request, CancellationToken ct) =>
        Task.FromResult(PaymentResult.Success($"manual-refund-{request.PurchaseId:N}"));
}
