using Catalyst.Data.Configuration;
using Serilog;
using Serilog.Extensions.Hosting;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Catalyst.Portal.Infrastructure;

/// <summary>
/// Serilog: request logging with correlation id and user id, text console in development and
/// JSON console in production, and a rolling JSON file under the data directory. Request logs
/// carry the path only (never query strings or headers), so tokens do not reach the logs.
/// </summary>
public static class Logging
{
    public static void AddCatalystLogging(this WebApplicationBuilder builder)
    {
        var isDevelopment = builder.Environment.IsDevelopment();
        builder.Services.AddSerilog((services, logger) =>
        {
            var paths = services.GetRequiredService<CatalystPaths>();
            logger.ReadFrom.Configuration(builder.Configuration)
                .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.EntityFrameworkCore", LogEventLevel.Warning)
                .Enrich.FromLogContext()
                // The sinks write on one background thread: a request only queues its event. Written
                // inline, every request took the console's lock and then the file's, and under load
                // the request threads queued up behind each other there (tests/Bench projects-list).
                // A full queue blocks rather than drops, so no request line is lost.
                .WriteTo.Async(sinks =>
                {
                    sinks.File(new CompactJsonFormatter(), Path.Combine(paths.Logs, "portal-.json"),
                        rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14, fileSizeLimitBytes: 100L << 20, rollOnFileSizeLimit: true);
                    if (isDevelopment)
                        sinks.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture);
                    else
                        sinks.Console(new CompactJsonFormatter());
                }, blockWhenFull: true);
        // Each host keeps its own logger instead of replacing Serilog's static one: several hosts in one
        // process (the tests) would otherwise write into whichever host started last.
        }, preserveStaticLogger: true);
        // The request log's diagnostic properties (user id, correlation id) are bound with this host's
        // logger; Serilog's default binds them with the static Log.Logger, which another host in the
        // same process (the tests) may have replaced or closed, silently dropping them.
        builder.Services.AddSingleton(services => new DiagnosticContext(services.GetRequiredService<Serilog.ILogger>()));
        builder.Services.AddSingleton<IDiagnosticContext>(services => services.GetRequiredService<DiagnosticContext>());
    }

    public static void UseCatalystRequestLogging(this WebApplication app) =>
        app.UseSerilogRequestLogging(options =>
        {
            options.Logger = app.Services.GetRequiredService<Serilog.ILogger>();
            options.EnrichDiagnosticContext = (diagnostics, http) =>
            {
                diagnostics.Set("UserId", http.User.UserId()?.ToString() ?? "anonymous");
                diagnostics.Set("CorrelationId", CorrelationIdMiddleware.Get(http) ?? http.TraceIdentifier);
            };
            options.GetLevel = (http, _, ex) => ex is not null || http.Response.StatusCode >= 500
                ? LogEventLevel.Error
                : http.Request.Path.StartsWithSegments("/health") ? LogEventLevel.Verbose : LogEventLevel.Information;
        });
}
