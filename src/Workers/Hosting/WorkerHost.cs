using Catalyst.Data;
using Catalyst.Data.Configuration;
using Catalyst.Data.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;

namespace Catalyst.Workers.Hosting;

/// <summary>Builds the worker process: the same configuration, database and services as the Portal, no web.</summary>
public static class WorkerHost
{
    public static HostApplicationBuilder CreateBuilder(string[] args, bool runJobServer)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddSerilog((sp, logger) => logger
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext()
            // Logs go to stderr: stdout carries the commands' machine-readable reports.
            .WriteTo.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture, standardErrorFromLevel: Serilog.Events.LogEventLevel.Verbose));
        builder.Services.AddCatalystData(builder.Configuration, builder.Environment.ContentRootPath);
        builder.Services.AddIdentityCore<CatalystUser>(IdentityRules.Apply)
            .AddRoles<CatalystRole>()
            .AddEntityFrameworkStores<CatalystDbContext>();
        builder.Services.AddCatalystJobs(builder.Configuration, runJobServer);
        builder.Services.AddCatalystTelemetry(builder.Configuration, "catalyst-workers");
        return builder;
    }
}
