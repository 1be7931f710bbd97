using Catalyst.Data;
using Catalyst.Data.Configuration;
using Catalyst.Data.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;
using Serilog.Events;

namespace Catalyst.Workers.Hosting;

/// <summary>How much a worker process logs.</summary>
public enum WorkerLogging
{
    /// <summary>The job host: as configured (<c>Serilog</c> section).</summary>
    Host,
    /// <summary>A command: warnings and errors only, whatever the configuration says.</summary>
    Command,
    /// <summary>A command run with <c>--verbose</c>: debug and information too, SQL statements included.</summary>
    Verbose,
}

/// <summary>Builds the worker process: the same configuration, database and services as the Portal, no web.</summary>
public static class WorkerHost
{
    public static HostApplicationBuilder CreateBuilder(string[] args, bool runJobServer, WorkerLogging logging = WorkerLogging.Host)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddSerilog((sp, logger) =>
        {
            logger.ReadFrom.Configuration(builder.Configuration).Enrich.FromLogContext();
            if (logging == WorkerLogging.Command)
                logger.MinimumLevel.Warning();
            else if (logging == WorkerLogging.Verbose)
                logger.MinimumLevel.Debug()
                    .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
                    .MinimumLevel.Override("Microsoft.EntityFrameworkCore.Database.Command", LogEventLevel.Information)
                    .MinimumLevel.Override("Hangfire", LogEventLevel.Information);
            // Logs go to stderr: stdout carries the commands' machine-readable reports. A command's
            // stderr is for what went wrong, so the sink itself drops anything below Warning there.
            logger.WriteTo.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture, standardErrorFromLevel: LogEventLevel.Verbose,
                restrictedToMinimumLevel: logging == WorkerLogging.Command ? LogEventLevel.Warning : LogEventLevel.Verbose);
        });
        builder.Services.AddCatalystData(builder.Configuration, builder.Environment.ContentRootPath);
        builder.Services.AddIdentityCore<CatalystUser>(IdentityRules.Apply)
            .AddRoles<CatalystRole>()
            .AddEntityFrameworkStores<CatalystDbContext>();
        builder.Services.AddCatalystJobs(builder.Configuration, runJobServer);
        builder.Services.AddCatalystTelemetry(builder.Configuration, "catalyst-workers");
        return builder;
    }
}
