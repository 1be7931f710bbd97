using System.IO.Compression;
using System.Text.Json.Serialization;
using Catalyst.Data;
using Catalyst.Data.Configuration;
using Catalyst.Data.Identity;
using Catalyst.Portal.Pages.LegacyImport;
using Catalyst.Workers.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Catalyst.Portal.Infrastructure;

public static class Policies
{
    /// <summary>API callers: bearer token only, never the portal cookie (no CSRF exposure).</summary>
    public const string Api = "api";
    public const string ApiAdmin = "api-admin";
    /// <summary>tus at /api/uploads: a presigned upload grant in place of the bearer token.</summary>
    public const string UploadGrant = "upload-grant";
    /// <summary>Portal admins (cookie).</summary>
    public const string Admin = "admin";
}

/// <summary>Service registration of the Portal, in one place.</summary>
public static class PortalServices
{
    public static void AddCatalystPortal(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        builder.UseDefaultAddressUnlessChosen();
        services.AddCatalystData(configuration, builder.Environment.ContentRootPath);
        // Migrations and roles run before the host starts (Program: PrepareDatabaseAsync). The master key must open the vault's keys, before any request or job uses a secret.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, Catalyst.Data.Secrets.MasterKeyCheck>());
        builder.AddCatalystLogging();

        // Cookies and antiforgery tokens stay valid across restarts and across Portal instances.
        services.AddDataProtection().SetApplicationName("Catalyst").PersistKeysToDbContext<CatalystDbContext>();
        // The key ring is sealed with the vault's master key, like the secrets stored next to it.
        services.AddOptions<KeyManagementOptions>().Configure<Catalyst.Data.Secrets.MasterKey>((o, master) => o.XmlEncryptor = new Catalyst.Data.Secrets.MasterKeyXmlEncryptor(master));
        services.AddIdentity<CatalystUser, CatalystRole>(IdentityRules.Apply)
            .AddEntityFrameworkStores<CatalystDbContext>()
            .AddSignInManager<CatalystSignInManager>()
            .AddDefaultTokenProviders();
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromSeconds(30));
        services.ConfigureApplicationCookie(options =>
        {
            options.Cookie.Name = "catalyst.auth";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.SecurePolicy = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            options.LoginPath = "/Account/Login";
            options.LogoutPath = "/Account/Logout";
            options.AccessDeniedPath = "/Account/AccessDenied";
            options.SlidingExpiration = true;
            options.ExpireTimeSpan = TimeSpan.FromHours(12);
            // A signed-in user without the right role gets a 403 page, not a redirect.
            options.Events.OnRedirectToAccessDenied = context =>
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
        });
        services.AddAntiforgery(options =>
        {
            options.HeaderName = "RequestVerificationToken";
            options.Cookie.Name = "catalyst.csrf";
            options.Cookie.SecurePolicy = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        });
        services.AddAuthentication()
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, UploadGrantAuthenticationHandler>(UploadGrantAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Api, p => p.AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser())
            // Added to /api/uploads only: combined with Api, a bearer token or a presigned upload grant.
            .AddPolicy(Policies.UploadGrant, p => p.AddAuthenticationSchemes(UploadGrantAuthenticationHandler.SchemeName).RequireAuthenticatedUser())
            .AddPolicy(Policies.ApiAdmin, p => p.AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName).RequireRole(Roles.Admin))
            .AddPolicy(Policies.Admin, p => p.AddAuthenticationSchemes(IdentityConstants.ApplicationScheme).RequireRole(Roles.Admin));

        // Behind a load balancer (SPEC §2): forwarded headers only from the configured proxies. Without
        // any, forwarding is off, also when ASPNETCORE_FORWARDEDHEADERS_ENABLED would trust everyone.
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<CatalystOptions>>((forwarded, catalyst) =>
        {
            var trusted = catalyst.Value.ForwardedHeaders;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            forwarded.ForwardedHeaders = trusted.Enabled ? ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto : ForwardedHeaders.None;
            // Every hop that is a known proxy is taken off, from the right; the first unknown address is the client.
            forwarded.ForwardLimit = null;
            foreach (var proxy in trusted.Enabled ? trusted.ProxyAddresses : [])
                forwarded.KnownProxies.Add(proxy);
            foreach (var network in trusted.Enabled ? trusted.ProxyNetworks : [])
                forwarded.KnownIPNetworks.Add(network);
        });
        services.AddSingleton<SignInThrottle>();
        services.AddScoped<Api.LegacyUploadReader>();
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                return ValueTask.CompletedTask;
            };
        });
        services.AddOptions<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>()
            .Configure<IOptions<CatalystOptions>>((limiter, catalyst) => SignInThrottle.AddPolicy(limiter, catalyst.Value));

        services.AddRazorPages(options =>
        {
            options.Conventions.AuthorizeFolder("/");
            options.Conventions.AllowAnonymousToPage("/Account/Login");
            options.Conventions.AllowAnonymousToPage("/Account/Register");
            options.Conventions.AllowAnonymousToPage("/Account/AccessDenied");
            options.Conventions.AllowAnonymousToPage("/Error");
            options.Conventions.AuthorizeFolder("/Admin", Policies.Admin);
            options.Conventions.AddLegacyImportRoutes();
        });

        services.Configure<JsonOptions>(options =>
        {
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase));
            // Bodies and responses carry values nested up to JsonLimits.MaxDepth (checked per value by the converter below).
            options.SerializerOptions.MaxDepth = Catalyst.Data.Common.JsonLimits.DocumentDepth;
            // A name given twice is refused, not resolved silently (parsers disagree on which value wins).
            options.SerializerOptions.AllowDuplicateProperties = false;
            options.SerializerOptions.Converters.Add(new WellFormedJsonElementConverter());
        });
        // Binding failures (malformed JSON, wrong types) become exceptions for the one problem mapper.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            problem.Extensions.TryAdd("code", ProblemCodes.ForStatus(problem.Status ?? context.HttpContext.Response.StatusCode));
            problem.Extensions["correlationId"] = CorrelationIdMiddleware.Get(context.HttpContext) ?? context.HttpContext.TraceIdentifier;
            problem.Extensions.Remove("traceId");
        });

        services.AddResponseCompression(options =>
        {
            options.EnableForHttps = true;
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
            options.MimeTypes = ResponseCompressionDefaults.MimeTypes.Concat(["application/problem+json", "image/svg+xml"]);
        });
        services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);

        services.AddOpenApi(options => options.AddDocumentTransformer<BearerSecurityTransformer>());
        services.AddCatalystHealthChecks();
        var jobs = configuration.GetSection(CatalystOptions.Section).GetSection("Jobs");
        // Catalyst:Jobs:Server (or its older name RunInProcess) = false: this Portal only enqueues and
        // src/Workers processes run the jobs (SPEC §2 production topology).
        services.AddCatalystJobs(configuration, runServer: jobs.GetValue<bool?>("Server") ?? jobs.GetValue<bool?>("RunInProcess") ?? true);
        services.AddCatalystTelemetry(configuration, "catalyst-portal",
            tracing => tracing.AddAspNetCoreInstrumentation(o =>
            {
                o.Filter = http => !http.Request.Path.StartsWithSegments("/health");
                // A download token is the path itself: traces carry it redacted, as the logs do.
                o.EnrichWithHttpRequest = (activity, request) =>
                {
                    if (request.Path.Value is { } path && SecretPaths.Redact(path) is var redacted && !ReferenceEquals(redacted, path))
                        activity.SetTag("url.path", redacted);
                };
            }),
            metrics => metrics.AddAspNetCoreInstrumentation());
        services.AddSingleton<RequestMetrics>();
        services.AddHostedService(sp => sp.GetRequiredService<RequestMetrics>());
        services.AddSingleton<DatabaseAndJobMetrics>();
        services.AddHostedService(sp => sp.GetRequiredService<DatabaseAndJobMetrics>());
        services.AddSingleton<SystemSampler>();
        services.AddHostedService(sp => sp.GetRequiredService<SystemSampler>());
        // Last: the admin and the banner, once the server listens.
        services.AddHostedService<StartupBanner>();
    }
}
