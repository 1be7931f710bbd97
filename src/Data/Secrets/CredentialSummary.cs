namespace Catalyst.Data.Secrets;

/// <summary>What a page or the API may show of a stored credential: never its value.</summary>
public sealed record CredentialSummary(Guid Id, string Name, string Masked, string KeyId, DateTime UpdatedAt, DateTime? LastReadAt)
{
    public static CredentialSummary? From(Credential? c) => c is null ? null : new(c.Id, c.Name, c.Masked, c.KeyId, c.UpdatedAt, c.LastReadAt);
}
