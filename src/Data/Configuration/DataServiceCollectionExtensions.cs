using Catalyst.Data.Assets;
using Catalyst.Data.Audit;
using Catalyst.Data.Caching;
using Catalyst.Data.Chat;
using Catalyst.Data.Backups;
using Catalyst.Data.Deployments;
using Catalyst.Data.Features;
using Catalyst.Data.Identity;
using Catalyst.Data.Jobs;
using Catalyst.Data.Marketplace;
using Catalyst.Data.Mcp;
using Catalyst.Data.Observability;
using Catalyst.Data.Outbox;
using Catalyst.Data.Projects;
using Catalyst.Data.Search;
using Catalyst.Data.Secrets;
using Catalyst.Data.Storage;
using Catalyst.Data.Sync;
using Catalyst.Data.Tokens;
using Catalyst.Data.Uploads;
using Catalyst.Data.Websites;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.FeatureManagement;
using Microsoft.FeatureManagement.FeatureFilters;
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
        services.AddSingleton<IValidateOptions<LegacyImport.Reading.LegacyOptions>, LegacyImport.Reading.LegacyOptionsValidator>();
        services.AddOptions<LegacyImport.Reading.LegacyOptions>().Bind(configuration.GetSection(LegacyImport.Reading.LegacyOptions.Section)).ValidateOnStart();
        services.AddSingleton<LegacyImport.Reading.ILegacyDumpReader>(sp => new LegacyImport.Reading.LegacyDumpReader(sp.GetRequiredService<IOptions<LegacyImport.Reading.LegacyOptions>>().Value));

        var provider = configuration.GetSection(DatabaseOptions.Section)[nameof(DatabaseOptions.Provider)] ?? DatabaseProviders.Sqlite;
        if (string.Equals(provider, DatabaseProviders.SqlServer, StringComparison.OrdinalIgnoreCase))
        {
            services.AddDbContext<CatalystDbContext, SqlServerCatalystDbContext>((sp, options) =>
                options.UseSqlServer(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString).AddInterceptors(DbCommandTelemetry.Instance));
        }
        else
        {
            services.AddDbContext<CatalystDbContext, SqliteCatalystDbContext>((sp, options) =>
                options.UseSqlite(SqliteConnectionString(sp)).AddInterceptors(new SqlitePragmas(), DbCommandTelemetry.Instance));
        }

        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateOnStart();
        services.AddSingleton<IBlobStore>(sp => BlobStores.Create(sp.GetRequiredService<IOptions<StorageOptions>>().Value, sp, contentRoot));
        services.AddSingleton<ChunkWriter>();
        services.AddSingleton<BlobIndexCache>();
        services.AddScoped<ContentStore>();
        services.AddScoped<StorageQuota>();
        services.AddScoped<IStorageHolding, UnfinishedUploadHolding>();
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
        services.AddScoped<LegacyImport.LegacyImportService>();
        services.AddScoped<LegacyImport.Mapping.LegacyImportRunFactory>();
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
        services.AddScoped<Features.IFeatureFlagChangeListener, SyncFeatureFlagListener>();
        services.AddScoped<ChatService>();

        services.AddScoped<AuditLog>();
        services.AddScoped<ProjectService>();
        services.AddScoped<ApiTokenService>();
        services.AddScoped<UserAdminService>();
        services.AddScoped<JobRunService>();
        services.AddScoped<JobProgress>();
        services.AddScoped<DatabaseMigrator>();
        AddAdminDomain(services, configuration);
        services.AddScoped<IdentityBootstrapper>();
        return services;
    }

    /// <summary>Secrets, MCP servers, deployments and their outbox, feature flags (SPEC §14).</summary>
    private static void AddAdminDomain(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IValidateOptions<SecretsOptions>, SecretsOptionsValidator>();
        services.AddOptions<SecretsOptions>().Bind(configuration.GetSection(SecretsOptions.Section)).ValidateOnStart();
        services.AddSingleton(sp => MasterKey.Load(sp.GetRequiredService<IOptions<SecretsOptions>>(), sp.GetRequiredService<CatalystPaths>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<MasterKey>>()));
        services.AddSingleton<SecretKeyRing>();
        services.AddScoped<SecretVault>();
        services.AddScoped<SecretKeyRotation>();

        services.AddScoped<McpServerService>();
        services.AddScoped<McpConnectionTester>();

        services.AddSingleton<IValidateOptions<DeploymentOptions>, DeploymentOptionsValidator>();
        services.AddOptions<DeploymentOptions>().Bind(configuration.GetSection(DeploymentOptions.Section)).ValidateOnStart();
        services.TryAddSingleton<IHostResolver, DnsHostResolver>();
        services.AddSingleton<EndpointGuard>();
        services.AddHttpClient(DeploymentDelivery.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                // Every connection goes through the SSRF check; no proxy, redirects or cookies.
                ConnectCallback = sp.GetRequiredService<EndpointGuard>().ConnectAsync,
                UseProxy = false,
                AllowAutoRedirect = false,
                UseCookies = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            })
            // The endpoint URL of a build hook can itself be a secret: keep HttpClient's request logs out.
            .RemoveAllLoggers()
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddScoped<DeploymentService>();
        services.AddScoped<OutboxDispatcher>();
        services.AddScoped<OutboxSweeper>();
        services.AddKeyedScoped<IOutboxHandler, DeploymentDelivery>(SyncOperationKinds.Deployment);

        services.AddSingleton<DatabaseFeatureDefinitionProvider>();
        services.AddSingleton<IFeatureDefinitionProvider>(sp => sp.GetRequiredService<DatabaseFeatureDefinitionProvider>());
        services.Configure<TargetingEvaluationOptions>(o => o.IgnoreCase = true);
        services.AddFeatureManagement();
        services.AddScoped<IUserFeatures, UserFeatures>();
        services.AddScoped<FeatureFlagService>();
        services.AddScoped<StorageGrowth>();
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
