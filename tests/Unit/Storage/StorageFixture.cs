using Catalyst.Data;
using Catalyst.Data.Configuration;
using Catalyst.Data.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Catalyst.Tests.Unit.Storage;

/// <summary>The Data services alone (no web host) on a fresh SQLite file, with the chosen blob store.</summary>
public sealed class StorageHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    public string DataDirectory { get; }
    private readonly bool _keepDirectory;

    private StorageHost(string provider, TimeSpan grace, IReadOnlyDictionary<string, string?>? settings, TimeProvider? time, string? dataDirectory, bool keepDirectory)
    {
        DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "catalyst-storage-tests", Guid.NewGuid().ToString("N"));
        _keepDirectory = keepDirectory;
        var values = new Dictionary<string, string?>
        {
            ["Catalyst:DataDirectory"] = DataDirectory,
            ["Storage:Provider"] = provider,
            ["Storage:GarbageCollectionGrace"] = grace.ToString(),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            values[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddCatalystData(configuration, DataDirectory);
        if (time is not null)
            services.AddSingleton(time);
        _services = services.BuildServiceProvider();
    }

    /// <param name="time">The services' clock (the garbage collector's cutoff, ...); the system's unless given.</param>
    /// <param name="dataDirectory">An existing data directory to open (a fresh one in the temp folder unless given).</param>
    /// <param name="keepDirectory">Leaves the data directory behind when disposed (for a process to take it over).</param>
    public static async Task<StorageHost> StartAsync(string provider = StorageProviders.FileSystem, TimeSpan? grace = null,
        IReadOnlyDictionary<string, string?>? settings = null, TimeProvider? time = null, string? dataDirectory = null, bool keepDirectory = false)
    {
        var host = new StorageHost(provider, grace ?? TimeSpan.FromHours(1), settings, time, dataDirectory, keepDirectory);
        await host.WithScopeAsync(sp => sp.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None));
        return host;
    }

    public IServiceProvider Services => _services;
    public IBlobStore BlobStore => _services.GetRequiredService<IBlobStore>();

    public async Task<T> WithScopeAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = _services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    public Task WithScopeAsync(Func<IServiceProvider, Task> action) =>
        WithScopeAsync<bool>(async sp => { await action(sp); return true; });

    public async Task<BlobInfo> WriteAsync(byte[] content) =>
        await WithScopeAsync(sp => sp.GetRequiredService<ContentStore>().WriteAsync(new MemoryStream(content), CancellationToken.None));

    public async Task<byte[]> ReadAsync(string sha256) =>
        await WithScopeAsync(async sp =>
        {
            await using var stream = await sp.GetRequiredService<ContentStore>().OpenReadAsync(sha256, CancellationToken.None)
                ?? throw new InvalidOperationException("no such blob");
            var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            return copy.ToArray();
        });

    public async Task ReferenceAsync(string sha256, string ownerId) =>
        await WithScopeAsync(async sp =>
        {
            await sp.GetRequiredService<ContentStore>().AddReferenceAsync(sha256, BlobOwnerTypes.Asset, ownerId, null, CancellationToken.None);
            await sp.GetRequiredService<CatalystDbContext>().SaveChangesAsync();
        });

    public async Task UnreferenceAsync(string ownerId) =>
        await WithScopeAsync(async sp =>
        {
            await sp.GetRequiredService<ContentStore>().RemoveReferencesAsync(BlobOwnerTypes.Asset, ownerId, CancellationToken.None);
            await sp.GetRequiredService<CatalystDbContext>().SaveChangesAsync();
        });

    public Task<StorageSummary> SummaryAsync() =>
        WithScopeAsync(sp => sp.GetRequiredService<StorageStatistics>().SummarizeAsync(CancellationToken.None));

    public Task<GarbageCollectionResult> CollectAsync() =>
        WithScopeAsync(sp => sp.GetRequiredService<StorageGarbageCollector>().CollectAsync(null, CancellationToken.None));

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (!_keepDirectory)
            try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }

    public static byte[] RandomBytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>Compressible JSON-like text.</summary>
    public static byte[] Text(int length, int seed)
    {
        var random = new Random(seed);
        var words = new[] { "title", "content", "section", "paragraph", "image", "caption", "link", "author", "published", "draft" };
        var builder = new System.Text.StringBuilder(length + 100);
        while (builder.Length < length)
            builder.Append("{\"").Append(words[random.Next(words.Length)]).Append("\": \"").Append(words[random.Next(words.Length)]).Append(' ').Append(random.Next(1000)).Append("\"},\n");
        return System.Text.Encoding.UTF8.GetBytes(builder.ToString(0, length));
    }
}
