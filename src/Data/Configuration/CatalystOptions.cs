using System.Net;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Configuration;

/// <summary>Section <c>Catalyst</c>: the product's own settings.</summary>
public sealed class CatalystOptions
{
    public const string Section = "Catalyst";

    /// <summary>Holds the SQLite file, the blob store, upload staging and logs. Relative paths are under the content root.</summary>
    public string DataDirectory { get; set; } = "data";
    public bool AllowRegistration { get; set; }
    public AdminBootstrapOptions Admin { get; set; } = new();
    public ApiOptions Api { get; set; } = new();
    public JobsOptions Jobs { get; set; } = new();
    public SignInOptions SignIn { get; set; } = new();
    public WebsiteDataOptions Websites { get; set; } = new();
    public TrustedProxiesOptions ForwardedHeaders { get; set; } = new();
}

/// <summary>
/// <c>Catalyst:ForwardedHeaders</c> (SPEC §2): the reverse proxies whose X-Forwarded-For and
/// X-Forwarded-Proto are believed. Both lists empty (the default): the headers are ignored and the
/// connection's own address is the client's.
/// </summary>
public sealed class TrustedProxiesOptions
{
    public const string Section = "Catalyst:ForwardedHeaders";

    /// <summary>Proxy addresses, such as <c>10.0.0.5</c> or <c>2001:db8::5</c>.</summary>
    public List<string> KnownProxies { get; set; } = [];
    /// <summary>Proxy networks in CIDR notation, such as <c>10.0.0.0/24</c>.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    public bool Enabled => KnownProxies.Count > 0 || KnownNetworks.Count > 0;

    public IEnumerable<IPAddress> ProxyAddresses => KnownProxies.Select(p => IPAddress.Parse(p.Trim()));

    public IEnumerable<IPNetwork> ProxyNetworks => KnownNetworks.Select(n => IPNetwork.Parse(n.Trim()));

    // IPAddress.TryParse also takes "10.1" or "300" (as 10.0.0.1 and 0.0.1.44): a typo must not become another address.
    private static bool IsAddress(string? text) =>
        IPAddress.TryParse(text, out var address)
        && (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || text.Count(c => c == '.') == 3);

    // A base address with host bits set ("10.0.0.1/8") is a typo for some network: name it.
    private static bool IsNetwork(string? text) =>
        IPNetwork.TryParse(text, out var network) && text!.Split('/') is [var address, _]
        && IsAddress(address) && IPAddress.Parse(address).Equals(network.BaseAddress);

    public IEnumerable<string> Validate()
    {
        for (var i = 0; i < KnownProxies.Count; i++)
            if (!IsAddress(KnownProxies[i]?.Trim()))
                yield return $"{Section}:KnownProxies:{i} must be an IP address such as 10.0.0.5 (was '{KnownProxies[i]}').";
        for (var i = 0; i < KnownNetworks.Count; i++)
            if (!IsNetwork(KnownNetworks[i]?.Trim()))
                yield return $"{Section}:KnownNetworks:{i} must be a network in CIDR notation such as 10.0.0.0/24, without host bits (was '{KnownNetworks[i]}').";
    }
}

public sealed class WebsiteDataOptions
{
    /// <summary>Largest website-data body (PUT, upload, import); 413 above.</summary>
    public long MaxDataBytes { get; set; } = 1L << 30;
    /// <summary>A merge patch loads the section it patches: sections larger than this answer 413 (use PUT).</summary>
    public long MaxMergePatchBytes { get; set; } = 32L << 20;
    /// <summary>Versions kept per website (the current one included; pinned ones not counted); older ones are pruned.</summary>
    public int MaxVersions { get; set; } = 50;
    /// <summary>Conflict backups kept per website (pinned ones not counted); older ones are pruned.</summary>
    public int MaxConflictBackups { get; set; } = 20;
    /// <summary>Versions and conflict backups one website may have pinned.</summary>
    public int MaxPinnedVersions { get; set; } = 20;
    /// <summary>
    /// Largest single part of a website backup on import (a content item with its data, a content
    /// type, the website with its metadata): the import is refused above it, and no more than this is read into memory.
    /// </summary>
    public long MaxBackupPartBytes { get; set; } = Backups.WebsiteBackupReader.DefaultMaxPartBytes;
}

public sealed class AdminBootstrapOptions
{
    public string? Email { get; set; }
    public string? Password { get; set; }
}

public sealed class ApiOptions
{
    /// <summary>Largest JSON body accepted by <c>/api</c> endpoints (uploads have their own limits).</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;
}

public sealed class JobsOptions
{
    /// <summary>Run the Hangfire server inside the Portal (embedded mode). Production turns it off and runs src/Workers.</summary>
    public bool? Server { get; set; }
    /// <summary>The older name of <see cref="Server"/>.</summary>
    public bool RunInProcess { get; set; } = true;
    /// <summary><c>InMemory</c> (embedded default) or <c>SqlServer</c> (shared by Portal and Workers).</summary>
    public string? Storage { get; set; }
    public int WorkerCount { get; set; } = Math.Max(2, Environment.ProcessorCount);
}

public sealed class SignInOptions
{
    public int PerAddressPerMinute { get; set; } = 20;
    public int PerAccountPerMinute { get; set; } = 10;
}

public sealed class CatalystOptionsValidator : IValidateOptions<CatalystOptions>
{
    public ValidateOptionsResult Validate(string? name, CatalystOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
            failures.Add("Catalyst:DataDirectory must not be empty.");
        else if (options.DataDirectory.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
            failures.Add("Catalyst:DataDirectory is not a valid path.");
        if (options.Api.MaxBodyBytes is < 1024 or > 1L << 30)
            failures.Add("Catalyst:Api:MaxBodyBytes must be between 1024 and 1073741824.");
        if (options.Jobs.Storage is { } storage && storage is not ("InMemory" or "SqlServer"))
            failures.Add($"Catalyst:Jobs:Storage must be 'InMemory' or 'SqlServer' (was '{storage}').");
        if (options.Websites.MaxDataBytes < 1024 || options.Websites.MaxMergePatchBytes < 1024)
            failures.Add("Catalyst:Websites:MaxDataBytes and MaxMergePatchBytes must be at least 1024.");
        if (options.Websites.MaxVersions is < 1 or > 100_000 || options.Websites.MaxConflictBackups is < 1 or > 100_000)
            failures.Add("Catalyst:Websites:MaxVersions and MaxConflictBackups must be between 1 and 100000.");
        if (options.Websites.MaxPinnedVersions is < 0 or > 10_000)
            failures.Add("Catalyst:Websites:MaxPinnedVersions must be between 0 and 10000.");
        if (options.Websites.MaxBackupPartBytes is < 64 * 1024 or > 1L << 30)
            failures.Add("Catalyst:Websites:MaxBackupPartBytes must be between 65536 and 1073741824.");
        if (options.Jobs.WorkerCount is < 1 or > 100)
            failures.Add("Catalyst:Jobs:WorkerCount must be between 1 and 100.");
        if (options.SignIn.PerAddressPerMinute < 1)
            failures.Add("Catalyst:SignIn:PerAddressPerMinute must be 1 or more.");
        if (options.SignIn.PerAccountPerMinute < 1)
            failures.Add("Catalyst:SignIn:PerAccountPerMinute must be 1 or more.");
        if (options.Admin.Email is { Length: > 0 } email && !email.Contains('@', StringComparison.Ordinal))
            failures.Add("Catalyst:Admin:Email must be an e-mail address.");
        if (options.Admin.Password is { Length: > 0 } && string.IsNullOrWhiteSpace(options.Admin.Email))
            failures.Add("Catalyst:Admin:Password is set but Catalyst:Admin:Email is not.");
        failures.AddRange(options.ForwardedHeaders.Validate());
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
