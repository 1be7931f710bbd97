using Catalyst.Data.Common;

namespace Catalyst.Data.Secrets;

public enum SecretKeyStatus { Active, Retiring }

/// <summary>
/// A data key of the vault: 32 random bytes for AES-256-GCM, stored only wrapped (AES-GCM) by the
/// master key. New secrets are encrypted with the newest active key; a rotation makes a new key
/// active, marks the others retiring, re-encrypts every secret and then deletes the retiring keys.
/// </summary>
public class SecretKey
{
    /// <summary>Short, stable and never reused: <c>k-</c> + 16 hex characters.</summary>
    public required string Id { get; set; }
    public SecretKeyStatus Status { get; set; }
    /// <summary>nonce (12) | tag (16) | encrypted key (32), with the key id as associated data.</summary>
    public required byte[] WrappedKey { get; set; }
    /// <summary>The fingerprint of the master key that wrapped this key (<see cref="MasterKey.Id"/>).</summary>
    public required string MasterKeyId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? RetiredAt { get; set; }
}

/// <summary>
/// A secret of an MCP server or a deployment config (SPEC §5). The value is stored only as
/// ciphertext under a data key named by <see cref="KeyId"/>; the last characters kept in
/// <see cref="Hint"/> are all any page or answer ever shows.
/// </summary>
public class Credential : ITimestamped, IVersioned
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public Guid? McpServerId { get; set; }
    public Guid? DeploymentConfigId { get; set; }
    /// <summary>format (1) | nonce (12) | tag (16) | ciphertext, with id and key id as associated data.</summary>
    public required byte[] Ciphertext { get; set; }
    public required string KeyId { get; set; }
    /// <summary>The last 4 characters of a value of 12 or more characters; empty for shorter values.</summary>
    public string Hint { get; set; } = "";
    public DateTime? LastReadAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public long Version { get; set; }

    public string Masked => SecretMask.Mask(Hint);
}

/// <summary>Which row a credential belongs to: exactly one of the two.</summary>
public readonly record struct CredentialOwner(Guid? McpServerId, Guid? DeploymentConfigId)
{
    public static CredentialOwner McpServer(Guid id) => new(id, null);
    public static CredentialOwner DeploymentConfig(Guid id) => new(null, id);
    public string EntityType => McpServerId is not null ? "McpServer" : "DeploymentConfig";
    public Guid EntityId => McpServerId ?? DeploymentConfigId!.Value;
}

public static class SecretMask
{
    public const int HintLength = 4;
    public const int MinLengthForHint = 12;

    public static string HintOf(string value) =>
        value.Length >= MinLengthForHint ? value[^HintLength..] : "";

    /// <summary>What every page and answer shows instead of a secret: dots and at most its last 4 characters.</summary>
    public static string Mask(string? hint) => "••••••••" + (hint ?? "");
}
