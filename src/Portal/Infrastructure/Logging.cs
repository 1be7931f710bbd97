using Catalyst.Data.Configuration;
using Microsoft.AspNetCore.StaticAssets;
using Serilog;
using Serilog.Core;
using Serilog.Filters;
using Serilog.Extensions.Hosting;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace Catalyst.Portal.Infrastructure;

/// <summary>
/// Serilog: request logging with correlation id and user id, text console in development and
/// JSON console in production, and a rolling JSON file under the data directory. Request logs
/// carry the path only (never query strings or headers), so tokens do not reach the logs; the one
/// path that is itself a credential (a marketplace download token) is redacted by
/// <see cref="SecretPaths"/> in every event, whichever property carries it.
/// </summary>
public static class Logging
{
    public static void AddCatalystLogging(this WebApplicationBuilder builder)
    {
        var isDevelopment = builder.Environment.IsDevelopment();
        builder.Services.AddSingleton<ConsoleOutput>();
        builder.Services.AddSerilog((services, logger) =>
        {
            var paths = services.GetRequiredService<CatalystPaths>();
            var console = services.GetRequiredService<ConsoleOutput>();
            logger.ReadFrom.Configuration(builder.Configuration)
                .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.EntityFrameworkCore", LogEventLevel.Warning)
                // Program reports a taken port in one line; the host's entry would repeat it with a stack trace.
                .Filter.ByExcluding(e => ListenAddresses.IsAddressInUse(e.Exception))
                .Enrich.FromLogContext()
                // Last, so it sees every property (the request log's RequestPath, ASP.NET Core's scopes).
                .Enrich.With<SecretPaths>()
                // The sinks write on one background thread: a request only queues its event. Written
                // inline, every request took the console's lock and then the file's, and under load
                // the request threads queued up behind each other there (tests/Bench projects-list).
                // A full queue blocks rather than drops, so no request line is lost.
                .WriteTo.Async(sinks =>
                {
                    sinks.File(new CompactJsonFormatter(), Path.Combine(paths.Logs, "portal-.json"),
                        rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14, fileSizeLimitBytes: 100L << 20, rollOnFileSizeLimit: true);
                    sinks.Logger(toConsole =>
                    {
                        // Hangfire's server reports its start from its own threads, after the start-up
                        // banner; on the console only its warnings and errors (the file keeps everything).
                        toConsole.MinimumLevel.Verbose()
                            .Filter.ByExcluding(e => e.Level < LogEventLevel.Warning && Matching.FromSource("Hangfire")(e));
                        // Both carry the correlation id of a request's lines (the JSON as a property).
                        toConsole.WriteTo.Console(isDevelopment ? new ConsoleLineFormatter() : new CompactJsonFormatter(), syncRoot: console.SyncRoot);
                    });
                }, blockWhenFull: true, monitor: console);
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
            options.GetLevel = RequestLevel;
        });

    /// <summary>
    /// A failed request is an Error; a static file or a health probe is Debug (a page load fetches a
    /// dozen files and a probe comes every few seconds: at Information they would bury the requests
    /// that matter); everything else is Information.
    /// </summary>
    public static LogEventLevel RequestLevel(HttpContext http, double elapsedMilliseconds, Exception? exception) =>
        exception is not null || http.Response.StatusCode >= 500 ? LogEventLevel.Error
        : http.Request.Path.StartsWithSegments("/health") || http.GetEndpoint()?.Metadata.GetMetadata<StaticAssetDescriptor>() is not null ? LogEventLevel.Debug
        : LogEventLevel.Information;
}

/// <summary>
/// The development console's line: time, level, the request's correlation id when the event belongs
/// to one (so a line can be matched with the response's X-Correlation-Id), message and exception.
/// </summary>
public sealed class ConsoleLineFormatter : ITextFormatter
{
    private static readonly IFormatProvider Invariant = System.Globalization.CultureInfo.InvariantCulture;
    private readonly MessageTemplateTextFormatter _plain = new("[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}", Invariant);
    private readonly MessageTemplateTextFormatter _correlated = new("[{Timestamp:HH:mm:ss} {Level:u3}] ({CorrelationId:l}) {Message:lj}{NewLine}{Exception}", Invariant);

    public void Format(LogEvent logEvent, TextWriter output) =>
        (logEvent.Properties.ContainsKey("CorrelationId") ? _correlated : _plain).Format(logEvent, output);
}

/// <summary>
/// Request paths that are credentials: <c>/api/marketplace/download/{token}</c>. The one place that
/// redacts them, for the logs (an enricher rewriting any string property, ASP.NET Core's
/// RequestPath scope included) and for traces (<see cref="Redact"/>).
/// </summary>
public sealed class SecretPaths : ILogEventEnricher
{
    private const string Redacted = "[redacted]";
    private static readonly string[] Prefixes = ["/api/marketplace/download/"];

    /// <summary>The text with the path segment after each credential prefix replaced by "[redacted]".</summary>
    public static string Redact(string text)
    {
        foreach (var prefix in Prefixes)
        {
            System.Text.StringBuilder? redacted = null;
            var from = 0;
            int at;
            while ((at = text.IndexOf(prefix, from, StringComparison.OrdinalIgnoreCase)) >= 0)
            {
                var start = at + prefix.Length;
                var end = start;
                while (end < text.Length && text[end] is not ('/' or '?' or '#' or '"' or '\'') && !char.IsWhiteSpace(text[end]))
                    end++;
                (redacted ??= new System.Text.StringBuilder(text.Length)).Append(text, from, start - from).Append(Redacted);
                from = end;
            }
            if (redacted is not null)
                text = redacted.Append(text, from, text.Length - from).ToString();
        }
        return text;
    }

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        List<LogEventProperty>? changed = null;
        foreach (var (name, value) in logEvent.Properties)
            if (RedactValue(value) is { } redacted)
                (changed ??= []).Add(new LogEventProperty(name, redacted));
        foreach (var property in changed ?? [])
            logEvent.AddOrUpdateProperty(property);
    }

    /// <summary>The value with its secret paths redacted, or null when it holds none (nothing allocated then).</summary>
    private static LogEventPropertyValue? RedactValue(LogEventPropertyValue value) => value switch
    {
        ScalarValue { Value: string text } when Prefixes.Any(p => text.Contains(p, StringComparison.OrdinalIgnoreCase)) => new ScalarValue(Redact(text)),
        ScalarValue { Value: PathString or Uri } scalar => RedactValue(new ScalarValue(scalar.Value.ToString())),
        SequenceValue sequence => Changed(sequence.Elements, e => e, (_, redacted) => redacted) is { } items ? new SequenceValue(items) : null,
        StructureValue structure => Changed(structure.Properties, p => p.Value, (p, v) => new LogEventProperty(p.Name, v)) is { } properties
            ? new StructureValue(properties, structure.TypeTag) : null,
        DictionaryValue dictionary => Changed(dictionary.Elements, e => e.Value, (e, v) => new KeyValuePair<ScalarValue, LogEventPropertyValue>(e.Key, v)) is { } entries
            ? new DictionaryValue(entries) : null,
        _ => null,
    };

    /// <summary>The items with their values redacted, or null when none needed it.</summary>
    private static List<T>? Changed<T>(IEnumerable<T> items, Func<T, LogEventPropertyValue> value, Func<T, LogEventPropertyValue, T> with)
    {
        List<T>? result = null;
        var index = 0;
        foreach (var item in items)
        {
            if (RedactValue(value(item)) is { } redacted)
                (result ??= items.Take(index).ToList()).Add(with(item, redacted));
            else
                result?.Add(item);
            index++;
        }
        return result;
    }
}
