using Catalyst.Data.Common;
using Catalyst.Data.Configuration;
using Microsoft.Extensions.Options;
using Catalyst.Portal.Api;
using Hangfire;
using Microsoft.AspNetCore.Diagnostics;
using Scalar.AspNetCore;

namespace Catalyst.Portal.Infrastructure;

/// <summary>The request pipeline and endpoint map of the Portal, in one place.</summary>
public static class PortalPipeline
{
    public static bool IsApi(this HttpRequest request) => IsApiPath(request.Path);

    public static bool IsApiPath(PathString path) =>
        path.StartsWithSegments("/api") && !path.StartsWithSegments("/api/docs");

    /// <summary>
    /// The API reference uses only this server (its script is served from the Scalar package, and the
    /// CSP allows no other host): no fonts from Scalar's CDN, and none of Scalar's hosted services
    /// (Ask AI, MCP, the developer toolbar's share/deploy/generate-SDK, telemetry).
    /// </summary>
    public static void ConfigureApiReference(ScalarOptions options)
    {
        options.WithTitle("Catalyst API")
            .DisableDefaultFonts()
            .DisableAgent()
            .DisableMcp()
            .HideDeveloperTools();
        options.Telemetry = false;
    }

    public static void UseCatalystPortal(this WebApplication app)
    {
        // Kestrel listens before the last start-up step (the admin account, StartupBanner) has run:
        // until the application has started, every request is a quiet 503, so "ready" means an admin
        // can sign in. Ahead of the request log, which would record each as a server error.
        var started = app.Lifetime.ApplicationStarted;
        app.Use((context, next) =>
        {
            if (started.IsCancellationRequested)
                return next(context);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "1";
            return Task.CompletedTask;
        });
        // First: everything after it (request log, rate limits, audit, cookies, redirects) sees the
        // client's address and scheme as the trusted proxy reported them.
        if (app.Services.GetRequiredService<IOptions<CatalystOptions>>().Value.ForwardedHeaders.Enabled)
            app.UseForwardedHeaders();
        app.UseMiddleware<CorrelationIdMiddleware>();
        app.UseCatalystRequestLogging();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseResponseCompression();
        app.UseErrorResponseETags(); // before the exception handler, see ETags
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // API requests are answered by ApiExceptionHandler; pages re-execute /Error.
            ExceptionHandlingPath = "/Error",
            StatusCodeSelector = ex => ApiExceptionHandler.Map(ex).Status ?? 500,
            // A refusal (another user's resource or a missing one, a bad form, a malformed body) is the
            // caller's business: ApiExceptionHandler logs it at Information for pages and API alike, so
            // the middleware's Error entry with a stack trace is kept for real faults on pages (API
            // faults ApiExceptionHandler logs itself, as the default does).
            SuppressDiagnosticsCallback = context => context.ExceptionHandledBy == ExceptionHandledType.ExceptionHandlerService
                                                     || ApiExceptionHandler.Map(context.Exception).Status is < 500,
            // The /Error page answers a NotFound with 404 on purpose: that is its response, not a missing handler.
            AllowStatusCode404Response = true,
        });
        app.UseWhen(c => c.Request.IsApi(), api => api.UseStatusCodePages());
        app.UseWhen(c => !c.Request.IsApi(), pages => pages.UseStatusCodePagesWithReExecute("/Error", "?code={0}"));

        app.UseRouting();
        app.UseWhen(c => c.Request.IsApi(), api => api.UseMiddleware<ApiBodyLimitMiddleware>());
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();

        // Static files are not requests worth charting: the System page's figures (and the exported
        // http.server.request.duration) are about the application's routes.
        app.MapStaticAssets().DisableHttpMetrics();
        app.MapRazorPages().WithStaticAssets();
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/api/docs", ConfigureApiReference).AllowAnonymous();
        app.MapCatalystHealthChecks();
        app.MapHangfireDashboard("/hangfire", new DashboardOptions
        {
            // Endpoint authorization (admins only) guards the dashboard; Hangfire's own filter would allow local requests only.
            Authorization = [],
            AppPath = "/",
            DashboardTitle = "Catalyst jobs",
        }, app.Services.GetRequiredService<JobStorage>()).RequireAuthorization(Policies.Admin);

        var api = app.MapGroup("/api").RequireAuthorization(Policies.Api);
        api.MapAuth();
        api.MapProjects();
        api.MapJobs();
        api.MapAdminUsers();
        api.MapAssets();
        api.MapChat();
        api.MapSync();
        api.MapSearch();
        api.MapWebsites();
        api.MapBackups();
        api.MapLegacyImport();
        api.MapMarketplace();
        api.MapMcpServers();
        api.MapSecrets();
        api.MapDeployments();
        api.MapAudit();
        api.MapFeatures();
        api.MapAdminTokens();
        api.MapGroup("/uploads").RequireAuthorization(Policies.UploadGrant).MapUploads();
        // The same tus endpoints for the portal's own pages: cookie sign-in plus the antiforgery header.
        app.MapGroup("/portal/uploads").RequireAuthorization().AddEndpointFilter<AntiforgeryHeaderFilter>().MapUploads();
    }
}
