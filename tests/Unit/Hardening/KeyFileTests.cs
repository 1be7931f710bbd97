using Catalyst.Data.Assets;
using Catalyst.Data.Configuration;
using Catalyst.Data.Secrets;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Catalyst.Tests.Unit.Hardening;

/// <summary>
/// SPEC §16: the key files Catalyst generates into the data directory (<c>keys/presign.key</c>,
/// <c>secrets/master.key</c>) are readable and writable by the process owner only (0600, in 0700
/// folders), written so that the key is never on disk with looser rights, and a failed creation
/// leaves no copy of a key behind.
/// </summary>
public sealed class KeyFileTests : IDisposable
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly string _data = Path.Combine(Path.GetTempPath(), "catalyst-tests", "keys-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private CatalystPaths Paths() => new(Path.GetTempPath(), _data);

    private PresignKey Presign() => new(Options.Create(new PresignOptions()), Paths(), NullLogger<PresignKey>.Instance);

    private MasterKey Master() => MasterKey.Load(Options.Create(new SecretsOptions()), Paths(), NullLogger<MasterKey>.Instance);

    [Fact, System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_new_Portal_s_generated_key_files_are_for_the_owner_only()
    {
        if (OperatingSystem.IsWindows())
            Assert.Skip("Unix file modes");
        await using var portal = new PortalFactory();
        portal.Services.GetRequiredService<PresignKey>();
        portal.Services.GetRequiredService<MasterKey>();

        foreach (var (folder, file) in new[] { ("keys", "presign.key"), ("secrets", "master.key") })
        {
            Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(Path.Combine(portal.DataDirectory, folder)));
            Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(Path.Combine(portal.DataDirectory, folder, file)));
            Assert.Equal([file], Directory.GetFiles(Path.Combine(portal.DataDirectory, folder)).Select(Path.GetFileName));
        }
    }

    [Fact, System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_key_file_left_readable_by_others_is_tightened_when_it_is_read()
    {
        if (OperatingSystem.IsWindows())
            Assert.Skip("Unix file modes");
        var signature = Presign().Sign("probe");
        var id = Master().Id;
        foreach (var (folder, file) in new[] { ("keys", "presign.key"), ("secrets", "master.key") })
        {
            File.SetUnixFileMode(Path.Combine(_data, folder), OwnerOnlyFolder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            File.SetUnixFileMode(Path.Combine(_data, folder, file), OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        // An older Catalyst (or a careless copy) left them 0644: the next start reads the same keys and tightens them.
        Assert.Equal(signature, Presign().Sign("probe"));
        Assert.Equal(id, Master().Id);
        foreach (var (folder, file) in new[] { ("keys", "presign.key"), ("secrets", "master.key") })
        {
            Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(Path.Combine(_data, folder, file)) & GroupOrOther);
            Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(Path.Combine(_data, folder)) & GroupOrOther);
        }
    }

    [Fact]
    public void A_key_that_cannot_be_put_in_place_leaves_no_copy_behind()
    {
        // Something else (here a folder) holds the key's name: creating the key fails.
        Directory.CreateDirectory(Path.Combine(_data, "keys", "presign.key"));
        Directory.CreateDirectory(Path.Combine(_data, "secrets", "master.key"));

        Assert.ThrowsAny<Exception>(() => Presign());
        Assert.ThrowsAny<Exception>(() => Master());

        Assert.Empty(Directory.GetFiles(Path.Combine(_data, "keys")));
        Assert.Empty(Directory.GetFiles(Path.Combine(_data, "secrets")));
    }

    [Fact]
    public void Two_processes_creating_the_key_at_once_end_up_with_the_same_key()
    {
        var keys = Enumerable.Range(0, 8).AsParallel().Select(_ => (Presign().Sign("probe"), Master().Id)).ToList();

        Assert.Single(keys.Distinct());
        Assert.Equal(["presign.key"], Directory.GetFiles(Path.Combine(_data, "keys")).Select(Path.GetFileName));
        Assert.Equal(["master.key"], Directory.GetFiles(Path.Combine(_data, "secrets")).Select(Path.GetFileName));
    }
}
