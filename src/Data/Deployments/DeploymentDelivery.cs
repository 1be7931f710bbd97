using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Catalyst.Data.Backups;
using Catalyst.Data.Common;
using Catalyst.Data.Observability;
using Catalyst.Data.Outbox;
using Catalyst.Data.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Deployments;

/// <summary>
/// One delivery attempt of a deployment (SPEC §14): <c>POST endpoint</c> with the website backup as
/// the body (streamed, never held in memory), the credential as a bearer token, the run's
/// <c>Idempotency-Key</c> (the same on every attempt) and <c>X-Catalyst-Attempt</c> (1, 2, …
/// over the run's life). 2xx succeeds; 408, 429, 5xx and network errors are worth another attempt;
/// any other answer fails at once. Each attempt sends the website as it is at that moment.
/// </summary>
public sealed class DeploymentDelivery(CatalystDbContext db, IHttpClientFactory clients, WebsiteBackupWriter backups, SecretVault vault,
    IOptions<DeploymentOptions> options, TimeProvider time) : IOutboxHandler
{
    public const string HttpClientName = "catalyst-deployments";
    public const string AttemptHeader = "X-Catalyst-Attempt";
    public const string PurposeOfCredentialRead = "deployment delivery";

    public RetryPolicy Policy => options.Value.RetryPolicy;

    public TimeSpan Lease => TimeSpan.FromSeconds(options.Value.AttemptTimeoutSeconds + 30);

    public async Task<AttemptResult> AttemptAsync(SyncOperation operation, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var run = await RunOfAsync(operation, ct);
        var config = run is null ? null : await db.Set<DeploymentConfig>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == run.ConfigId, ct);
        if (run is null || config is null)
            return new AttemptResult(AttemptOutcome.Fatal, null, "The deployment run or its config no longer exists.", TimeSpan.Zero);
        var now = Clock.UtcNow(time);
        await db.Set<DeploymentRun>().Where(r => r.Id == run.Id).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Status, DeploymentRunStatus.Running)
            .SetProperty(r => r.StartedAt, r => r.StartedAt ?? now), ct);

        using var activity = CatalystTelemetry.Jobs.StartActivity("deployment.deliver", ActivityKind.Internal);
        activity?.SetTag("catalyst.deployment.run_id", run.Id.ToString());
        activity?.SetTag("catalyst.deployment.attempt", run.Attempts + 1);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.AttemptTimeoutSeconds));
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, config.Endpoint)
            {
                Content = new WebsiteBackupContent(backups, config.WebsiteId),
            };
            var credential = await vault.FindAsync(CredentialOwner.DeploymentConfig(config.Id), ct);
            if (credential is not null)
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await vault.RevealAsync(credential.Id, PurposeOfCredentialRead, null, ct));
            request.Headers.Add("Idempotency-Key", operation.IdempotencyKey);
            request.Headers.Add(AttemptHeader, (run.Attempts + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("X-Catalyst-Deployment", run.Id.ToString());
            request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Catalyst", "1.0"));

            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            var elapsed = time.GetElapsedTime(started);
            activity?.SetTag("http.response.status_code", status);
            if (response.IsSuccessStatusCode)
                return new AttemptResult(AttemptOutcome.Succeeded, status, null, elapsed);
            var error = $"The endpoint answered {status} {response.ReasonPhrase}".TrimEnd() + ".";
            if (status is 408 or 429 or >= 500)
                return new AttemptResult(AttemptOutcome.Retryable, status, error, elapsed,
                    status is 429 or 503 ? RetryAfterOf(response) : null);
            return new AttemptResult(AttemptOutcome.Fatal, status, error, elapsed);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new AttemptResult(AttemptOutcome.Retryable, null, $"No answer within {options.Value.AttemptTimeoutSeconds:0.#} s.", time.GetElapsedTime(started));
        }
        catch (Exception ex) when (FindRefusal(ex) is { } refused)
        {
            return new AttemptResult(AttemptOutcome.Fatal, null, refused.Message, time.GetElapsedTime(started));
        }
        catch (HttpRequestException ex)
        {
            return new AttemptResult(AttemptOutcome.Retryable, null, "Network error: " + (ex.InnerException?.Message ?? ex.Message), time.GetElapsedTime(started));
        }
        catch (IOException ex)
        {
            return new AttemptResult(AttemptOutcome.Retryable, null, "Network error: " + ex.Message, time.GetElapsedTime(started));
        }
        catch (DomainException ex)
        {
            // The website is gone, or the credential failed its integrity check: no retry can help.
            return new AttemptResult(AttemptOutcome.Fatal, null, ex.Message, time.GetElapsedTime(started));
        }
        catch (SecretKeyUnavailableException ex)
        {
            return new AttemptResult(AttemptOutcome.Fatal, null, ex.Message, time.GetElapsedTime(started));
        }
    }

    public async Task RecordAsync(SyncOperation operation, DateTime attemptStartedAt, AttemptResult result, CancellationToken ct)
    {
        if (!Guid.TryParse(operation.PayloadRef, out var runId) || await db.Set<DeploymentRun>().FirstOrDefaultAsync(r => r.Id == runId, ct) is not { } run)
            return;
        await db.Entry(run).ReloadAsync(ct); // the attempt marked it running with an update of its own
        run.Attempts++;
        var outcome = operation.Status switch
        {
            SyncOperationStatus.Succeeded => "succeeded",
            SyncOperationStatus.Pending => "retry",
            _ => "failed",
        };
        db.Set<DeploymentAttempt>().Add(new DeploymentAttempt
        {
            Id = Guid.CreateVersion7(),
            RunId = run.Id,
            Number = run.Attempts,
            At = attemptStartedAt,
            DurationMs = (int)Math.Min(int.MaxValue, result.Duration.TotalMilliseconds),
            StatusCode = result.StatusCode,
            Error = result.Error is { Length: > 1000 } text ? text[..1000] : result.Error,
            Outcome = outcome,
        });
        run.NextAttemptAt = operation.NextAttemptAt;
        switch (operation.Status)
        {
            case SyncOperationStatus.Succeeded:
                (run.Status, run.Error, run.FinishedAt) = (DeploymentRunStatus.Succeeded, null, Clock.UtcNow(time));
                break;
            case SyncOperationStatus.Failed:
                (run.Status, run.Error, run.FinishedAt) = (DeploymentRunStatus.Failed, result.Error ?? "The delivery failed.", Clock.UtcNow(time));
                break;
            default:
                (run.Status, run.Error) = (DeploymentRunStatus.Running, result.Error);
                break;
        }
        CatalystTelemetry.DeliveryAttempts.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
    }

    private async Task<DeploymentRun?> RunOfAsync(SyncOperation operation, CancellationToken ct) =>
        Guid.TryParse(operation.PayloadRef, out var runId)
            ? await db.Set<DeploymentRun>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, ct)
            : null;

    private TimeSpan? RetryAfterOf(HttpResponseMessage response)
    {
        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
            return delta;
        if (retryAfter?.Date is { } date)
            return date - time.GetUtcNow();
        return null;
    }

    private static EndpointRefusedException? FindRefusal(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
            if (e is EndpointRefusedException refused)
                return refused;
        return null;
    }

    /// <summary>The website backup as a request body, written straight into the connection.</summary>
    private sealed class WebsiteBackupContent : HttpContent
    {
        private readonly WebsiteBackupWriter _writer;
        private readonly Guid _websiteId;

        public WebsiteBackupContent(WebsiteBackupWriter writer, Guid websiteId)
        {
            (_writer, _websiteId) = (writer, websiteId);
            Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            _writer.WriteAsync(_websiteId, stream, null, CancellationToken.None);

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
            _writer.WriteAsync(_websiteId, stream, null, cancellationToken);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
