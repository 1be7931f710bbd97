using Catalyst.Data.Assets;
using Catalyst.Data.Audit;
using Catalyst.Data.Backups;
using Catalyst.Data.Caching;
using Catalyst.Data.Changes;
using Catalyst.Data.Chat;
using Catalyst.Data.Deployments;
using Catalyst.Data.Features;
using Catalyst.Data.Identity;
using Catalyst.Data.Jobs;
using Catalyst.Data.LegacyImport;
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
using Microsoft.Extensions.Options;

using Catalyst.Data.Configuration;

namespace Catalyst.Data;

/// <summary>
/// The composition of Catalyst.Data: the platform (options, the DbContext for the configured
/// provider, storage, jobs, caching, audit, identity, search, the change set), then one line per feature module. Each
/// module registers its own services, validated options and job kinds; nothing else lists them.
/// </summary>
public static class CatalystData
{
    public static IServiceCollection AddCatalystData(this IServiceCollection services, IConfiguration configuration, string contentRoot) =>
        services
            .AddCatalystPlatform(configuration, contentRoot)
            .AddUploads(configuration)
            .AddAssets(configuration)
            .AddProjects(configuration)
            .AddWebsites(configuration)
            .AddBackups(configuration)
            .AddChat(configuration)
            .AddSync(configuration)
            .AddLegacyImport(configuration)
            .AddMarketplace(configuration)
            .AddTokens(configuration)
            .AddSecrets(configuration)
            .AddMcp(configuration)
            .AddOutbox(configuration)
            .AddDeployments(configuration)
            .AddFeatureFlags(configuration);

    /// <summary>
    /// Options, the DbContext and the platform parts every feature builds on. The provider switch
    /// is the one place where the database providers differ at run time.
    /// </summary>
    public static IServiceCollection AddCatalystPlatform(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        services.AddValidatedOptions<CatalystOptions, CatalystOptionsValidator>(configuration, CatalystOptions.Section);
        services.AddValidatedOptions<DatabaseOptions, DatabaseOptionsValidator>(configuration, DatabaseOptions.Section)
            .Configure(o => o.ConnectionString ??= configuration.GetConnectionString("Catalyst"));
        services.AddSingleton(sp => new CatalystPaths(contentRoot, sp.GetRequiredService<IOptions<CatalystOptions>>().Value.DataDirectory));
        services.AddSingleton(TimeProvider.System);

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
        services.AddScoped<DatabaseMigrator>();

        services.AddStorage(configuration, contentRoot);
        services.AddValidatedOptions<CacheOptions, CacheOptionsValidator>(configuration, CacheOptions.Section);
        services.AddSingleton<MetadataCache>();
        services.AddScoped<AuditLog>();
        services.AddScoped<JobRunService>();
        services.AddScoped<JobProgress>();
        services.AddScoped<JobResultFiles>();
        services.AddScoped<UserAdminService>();
        services.AddScoped<IdentityBootstrapper>();
        services.AddScoped<StorageGrowth>();
        services.AddSearch(configuration);
        services.AddChanges();
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
