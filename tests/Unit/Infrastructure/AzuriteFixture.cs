using Azure.Storage.Blobs;

namespace Catalyst.Tests.Unit.Infrastructure;

/// <summary>
/// Azurite for the whole test assembly: started on first use (installed first if tests/azurite has
/// no node_modules yet) with a temporary folder, stopped when the assembly's tests are done. Tests
/// isolate themselves with a container each (<see cref="NewContainerName"/>).
/// </summary>
public sealed class AzuriteFixture : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ChildProcess? _process;
    private string? _workspace;

    /// <summary>The connection string of the running emulator (started on first call).</summary>
    public async Task<string> ConnectionStringAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_process is null || _process.Process.HasExited)
            {
                if (_process is not null)
                    await _process.DisposeAsync();
                _workspace ??= Directory.CreateTempSubdirectory("catalyst-azurite-").FullName;
                _process = await AzuriteProcess.StartAsync(_workspace, install: true, CancellationToken.None);
            }
            return AzuriteProcess.ConnectionString(_process);
        }
        finally
        {
            _gate.Release();
        }
    }

    public static string NewContainerName(string prefix = "t") => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 33)];

    public async Task<BlobContainerClient> NewContainerAsync(string prefix = "t") =>
        new(await ConnectionStringAsync(), NewContainerName(prefix));

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
            await _process.DisposeAsync();
        if (_workspace is not null)
        {
            try { Directory.Delete(_workspace, recursive: true); } catch (IOException) { }
        }
        _gate.Dispose();
    }
}
