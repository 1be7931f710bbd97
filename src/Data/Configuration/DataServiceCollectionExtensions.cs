using Catalyst.Data.Assets;
using Catalyst.Data.Audit;
using Catalyst.Data.Caching;
using Catalyst.Data.Chat;
using Catalyst.Data.Backups;
using Catalyst.Data.Identity;
using Catalyst.Data.Jobs;
using Catalyst.Data.Marketplace;
using Catalyst.Data.Projects;
using Catalyst.Data.Search;
using Catalyst.Data.Storage;
using Catalyst.Data.Sync;
using Catalyst.Data.Tokens;
using Catalyst.Data.Uploads;
using Catalyst.Data.Websites;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Configuration;

public static class DataServiceCollectionExtensions
{
    /// <summary>
    /// Options, the DbContext for the configured provider, and the shared domain services.
    /// The provider switch is the one place where SQLite and SQL Server differ at run time.
    /// </summary>
    public static IServiceCollection AddCatalystData(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        services.AddSingleton<IValidateOptions<CatalystOptions>, CatalystOptionsValidator>();
        services.AddSingleton<IValidateOptions<DatabaseOptions>, DatabaseOptionsValidator>();
        services.AddOptions<CatalystOptions>().Bind(configuration.GetSection(CatalystOptions.Section)).ValidateOnStart();
        services.AddOptions<DatabaseOptions>()
            .Bind(configuration.GetSection(DatabaseOptions.Section))
            .Configure(o => o.ConnectionString ??= configuration.GetConnectionString("Catalyst"))
            .ValidateOnStart();
        services.AddSingleton(sp => new CatalystPaths(contentRoot, sp.GetRequiredService<IOptions<CatalystOptions>>().Value.DataDirectory));
        services.AddSingleton(TimeProvider.System);

        var provider = configuration.GetSection(DatabaseOptions.Section)[nameof(DatabaseOptions.Provider)] ?? DatabaseProviders.Sqlite;
        if (string.Equals(provider, DatabaseProviders.SqlServer, StringComparison.OrdinalIgnoreCase))
        {
            services.AddDbContext<CatalystDbContext, SqlServerCatalystDbContext>((sp, options) =>
                options.UseSqlServer(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString));
        }
        else
        {
            services.AddDbContext<CatalystDbContext, SqliteCatalystDbContext>((sp, options) =>
                options.UseSqlite(SqliteConnectionString(sp)).AddInterceptors(new SqlitePragmas()));
        }

        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateOnStart();
        services.AddSingleton<IBlobStore>(sp => BlobStores.Create(sp.GetRequiredService<IOptions<StorageOptions>>().Value, sp, contentRoot));
        services.AddSingleton<ChunkWriter>();
        services.AddSingleton<BlobIndexCache>();
        services.AddScoped<ContentStore>();
        services.AddScoped<StorageStatistics>();
        services.AddScoped<StorageGarbageCollector>();
        services.AddScoped<StorageVerifier>();
        services.AddScoped<ChunkRecompressor>();
        services.AddScoped<StoreCopier>();
        services.AddSingleton<UploadLocks>();
        services.AddSingleton<UploadHashes>();
        services.AddScoped<UploadService>();
        services.AddScoped<AssetService>();
        services.AddSingleton<IValidateOptions<PresignOptions>, PresignOptionsValidator>();
        services.AddOptions<PresignOptions>().Bind(configuration.GetSection(PresignOptions.Section)).ValidateOnStart();
        services.AddSingleton<PresignKey>();
        services.AddScoped<PresignService>();
        services.AddScoped<IUploadCompletionHandler, AssetUploadCompletion>();
        services.AddScoped<IUploadCompletionHandler, WebsiteDataUploadCompletion>();
        services.AddScoped<WebsiteService>();
        services.AddScoped<ContentModelService>();
        services.AddScoped<WebsiteDataService>();
        services.AddScoped<PreferencesService>();
        services.AddScoped<WebsiteBackupWriter>();
        services.AddScoped<WebsiteImportService>();
        services.AddScoped<JobResultFiles>();
        services.AddScoped<AccountArchive>();
        services.AddCatalystMarketplace(configuration);

        services.AddSingleton<IValidateOptions<ChatOptions>, ChatOptionsValidator>();
        services.AddOptions<ChatOptions>().Bind(configuration.GetSection(ChatOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SearchOptions>, SearchOptionsValidator>();
        services.AddOptions<SearchOptions>().Bind(configuration.GetSection(SearchOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SyncOptions>, SyncOptionsValidator>();
        services.AddOptions<SyncOptions>().Bind(configuration.GetSection(SyncOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CacheOptions>, CacheOptionsValidator>();
        services.AddOptions<CacheOptions>().Bind(configuration.GetSection(CacheOptions.Section)).ValidateOnStart();
        services.AddSingleton<MetadataCache>();
        services.AddScoped<SearchIndexer>();
        services.AddScoped<SearchService>();
        services.AddScoped<SearchMaintenance>();
        services.AddScoped<ChangeSet>();
        services.AddScoped<SyncService>();
        services.AddScoped<ChatService>();

        services.AddScoped<AuditLog>();
        services.AddScoped<ProjectService>();
        services.AddScoped<ApiTokenService>();
        services.AddScoped<UserAdminService>();
        services.AddScoped<JobRunService>();
        services.AddScoped<JobProgress>();
        services.AddScoped<DatabaseMigrator>();
        services.AddScoped<IdentityBootstrapper>();
        return services;
    }

    private static string SqliteConnectionString(IServiceProvider sp)
    {
        var configured = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString;
        if (!string.IsNullOrWhiteSpace(configured))
            return configured;
        var paths = sp.GetRequiredService<CatalystPaths>();
        return new SqliteConnectionStringBuilder { DataSource = paths.SqliteFile, Pooling = true, DefaultTimeout = 30 }.ToString();
    }
}
