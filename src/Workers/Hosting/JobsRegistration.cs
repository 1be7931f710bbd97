using Catalyst.Data.Backups;
using Catalyst.Data.Search;
using Catalyst.Data.Secrets;
using Catalyst.Data.Projects;
using Catalyst.Data.Storage;
using Catalyst.Data.Uploads;
using Catalyst.Data.Configuration;
using Catalyst.Data.Jobs;
using Catalyst.Data.Observability;
using Catalyst.Data.Outbox;
using Catalyst.Workers.Jobs;
using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.InMemory;
using Hangfire.SqlServer;
using Microsoft.Data.SqlClient;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Catalyst.Workers.Hosting;

/// <summary>
/// The one place Hangfire is wired: storage (in-memory for the embedded default, SQL Server in
/// production), the job kinds, and — where this process runs jobs — the server and start-up recovery.
/// </summary>
public static class JobsRegistration
{
    public const string InMemoryStorage = "InMemory";
    public const string SqlServerStorage = "SqlServer";

    public static IServiceCollection AddCatalystJobs(this IServiceCollection services, IConfiguration configuration, bool runServer)
    {
        services.AddScoped<IJobQueue, HangfireJobQueue>();
        services.AddScoped<JobRunner>();
        services.AddScoped<IDeliveryQueue, HangfireDeliveryQueue>();
        services.AddScoped<OutboxJobs>();
        services.AddSingleton<IJobQueueMonitor, HangfireQueueMonitor>();

        // This process's own storage instance, never Hangfire's static JobStorage.Current, so that
        // several hosts in one process (tests, tools) cannot run each other's jobs.
        var storageKind = StorageKind(configuration);
        services.AddSingleton<JobStorage>(sp =>
        {
            if (storageKind != SqlServerStorage)
                return new InMemoryStorage();
            var connectionString = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString;
            return new SqlServerStorage(() => new SqlConnection(connectionString), new SqlServerStorageOptions
            {
                PrepareSchemaIfNecessary = true,
                QueuePollInterval = TimeSpan.FromSeconds(1),
            });
        });
        services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());

        if (runServer)
        {
            // The master key must open the vault before a job reads a secret (the Portal registers it too).
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, Catalyst.Data.Secrets.MasterKeyCheck>());
            services.AddHostedService<JobRecoveryService>();
            services.AddHostedService<OutboxRecoveryService>();
            services.AddHostedService<RecurringJobsService>();
            services.AddHangfireServer((sp, options) =>
            {
                options.WorkerCount = sp.GetRequiredService<IOptions<CatalystOptions>>().Value.Jobs.WorkerCount;
                options.ServerName = $"catalyst-{Environment.MachineName}-{Environment.ProcessId}";
                options.ShutdownTimeout = TimeSpan.FromSeconds(10);
                // Delivery retries are due 1, 2, 4… s apart: scheduled jobs must not wait the default 15 s poll.
                options.SchedulePollingInterval = TimeSpan.FromSeconds(1);
                options.Activator = new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>());
            });
        }
        return services;
    }

    /// <summary><c>Catalyst:Jobs:Storage</c>, defaulting to SQL Server storage when the database is SQL Server.</summary>
    public static string StorageKind(IConfiguration configuration)
    {
        var configured = configuration["Catalyst:Jobs:Storage"];
        if (!string.IsNullOrWhiteSpace(configured))
            return configured;
        var provider = configuration["Database:Provider"];
        return string.Equals(provider, DatabaseProviders.SqlServer, StringComparison.OrdinalIgnoreCase) ? SqlServerStorage : InMemoryStorage;
    }
}
