using System.Security.Cryptography;
using Catalyst.Data.Audit;
using Catalyst.Data.Common;
using Catalyst.Data.Mcp;
using Catalyst.Data.Outbox;
using Catalyst.Data.Secrets;
using Catalyst.Data.Websites;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Deployments;

public sealed record DeploymentConfigDetails(DeploymentConfig Config, CredentialSummary? Credential);

public sealed record DeploymentRunDetails(DeploymentRun Run, string ConfigName, IReadOnlyList<DeploymentAttempt> Attempts);

/// <summary>
/// Deployment configs and runs (SPEC §14), under the resource rule of their website: its owner and
/// admins see and change them, anyone else gets 404. Deploying creates a DeploymentRun and its
/// outbox row in one transaction and then wakes the delivery; the schedule is the outbox row's.
/// </summary>
public sealed class DeploymentService(CatalystDbContext db, WebsiteService websites, SecretVault vault, EndpointGuard guard,
    IDeliveryQueue queue, AuditLog audit, TimeProvider time)
{
    public async Task<IReadOnlyList<DeploymentConfigDetails>> ListConfigsAsync(Actor actor, Guid websiteId, CancellationToken ct)
    {
        await RequireWebsiteAsync(actor, websiteId, ct);
        var rows = await db.Set<DeploymentConfig>().AsNoTracking().Where(c => c.WebsiteId == websiteId).OrderBy(c => c.CreatedAt)
            .Select(c => new { Config = c, Credential = db.Set<Credential>().FirstOrDefault(k => k.DeploymentConfigId == c.Id) })
            .ToListAsync(ct);
        return rows.Select(r => new DeploymentConfigDetails(r.Config, CredentialSummary.From(r.Credential))).ToList();
    }

    public async Task<DeploymentConfigDetails> GetConfigAsync(Actor actor, Guid id, CancellationToken ct)
    {
        var config = await VisibleConfigs(actor).FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw new NotFoundException("Deployment config");
        return new DeploymentConfigDetails(config, CredentialSummary.From(await vault.FindAsync(CredentialOwner.DeploymentConfig(id), ct)));
    }

    public async Task<DeploymentConfigDetails> CreateConfigAsync(Actor actor, Guid websiteId, DeploymentConfigInput input, string? credential, CancellationToken ct)
    {
        await RequireWebsiteAsync(actor, websiteId, ct);
        var errors = new Dictionary<string, string[]>();
        var (name, provider, settings) = DeploymentRules.Validate(input, errors);
        var endpoint = await CheckEndpointAsync(input.Endpoint, errors, ct);
        ValidateCredential(credential, errors);
        if (errors.Count > 0)
            throw new ValidationFailedException(errors);
        var config = new DeploymentConfig
        {
            Id = Guid.CreateVersion7(),
            WebsiteId = websiteId,
            Name = name,
            Provider = provider,
            Endpoint = endpoint!,
            Settings = settings,
            CreatedById = actor.UserId,
        };
        db.Set<DeploymentConfig>().Add(config);
        if (actor.IsAdmin)
            audit.Record(actor, "deployment_config.create", nameof(DeploymentConfig), config.Id, new { name, provider, websiteId });
        if (!string.IsNullOrEmpty(credential))
            await vault.SetAsync(actor, CredentialOwner.DeploymentConfig(config.Id), $"{name} credential", credential, ct);
        await db.SaveChangesAsync(ct);
        return await GetConfigAsync(actor, config.Id, ct);
    }

    /// <summary>Replaces the fields the input names; a credential given is rotated, <paramref name="removeCredential"/> drops it.</summary>
    public async Task<DeploymentConfigDetails> UpdateConfigAsync(Actor actor, Guid id, long? expectedVersion, DeploymentConfigInput input,
        string? credential, bool removeCredential, CancellationToken ct)
    {
        var config = await VisibleConfigs(actor, tracking: true).FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw new NotFoundException("Deployment config");
        if (expectedVersion is { } expected && config.Version != expected)
            throw new VersionConflictException(config.Version);
        var errors = new Dictionary<string, string[]>();
        var merged = new DeploymentConfigInput(input.Name ?? config.Name, input.Provider ?? config.Provider, input.Endpoint ?? config.Endpoint,
            input.Settings ?? JsonLimits.ParseValue(config.Settings));
        var (name, provider, settings) = DeploymentRules.Validate(merged, errors);
        var endpoint = await CheckEndpointAsync(merged.Endpoint, errors, ct);
        ValidateCredential(credential, errors);
        if (errors.Count > 0)
            throw new ValidationFailedException(errors);
        (config.Name, config.Provider, config.Endpoint, config.Settings) = (name, provider, endpoint!, settings);
        if (actor.IsAdmin)
            audit.Record(actor, "deployment_config.update", nameof(DeploymentConfig), config.Id, new { name, provider });
        if (!string.IsNullOrEmpty(credential))
            await vault.SetAsync(actor, CredentialOwner.DeploymentConfig(config.Id), $"{name} credential", credential, ct);
        else if (removeCredential)
            await vault.RemoveAsync(actor, CredentialOwner.DeploymentConfig(config.Id), ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            var current = await db.Set<DeploymentConfig>().AsNoTracking().Where(c => c.Id == id).Select(c => (long?)c.Version).FirstOrDefaultAsync(ct);
            throw current is null ? new NotFoundException("Deployment config") : new VersionConflictException(current.Value);
        }
        return await GetConfigAsync(actor, id, ct);
    }

    /// <summary>Deletes the config with its credential and its runs (their outbox rows fail when they next wake).</summary>
    public async Task DeleteConfigAsync(Actor actor, Guid id, long? expectedVersion, CancellationToken ct)
    {
        var config = await VisibleConfigs(actor, tracking: true).FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw new NotFoundException("Deployment config");
        if (expectedVersion is { } expected && config.Version != expected)
            throw new VersionConflictException(config.Version);
        var operations = db.Set<DeploymentRun>().Where(r => r.ConfigId == id).Select(r => r.SyncOperationId);
        await db.Set<SyncOperation>().Where(o => operations.Contains(o.Id) && (o.Status == SyncOperationStatus.Pending || o.Status == SyncOperationStatus.InFlight))
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, SyncOperationStatus.Failed).SetProperty(o => o.LastError, "The deployment config was deleted."), ct);
        db.Set<DeploymentConfig>().Remove(config);
        audit.Record(actor, "deployment_config.delete", nameof(DeploymentConfig), config.Id, new { config.Name, config.WebsiteId });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Deploys: a queued run and its outbox row (due now, with a fresh idempotency key), then the delivery is woken.</summary>
    public async Task<DeploymentRunDetails> DeployAsync(Actor actor, Guid configId, CancellationToken ct)
    {
        var config = await VisibleConfigs(actor).FirstOrDefaultAsync(c => c.Id == configId, ct) ?? throw new NotFoundException("Deployment config");
        var now = Clock.UtcNow(time);
        var operation = new SyncOperation
        {
            Id = Guid.CreateVersion7(),
            Kind = SyncOperationKinds.Deployment,
            PayloadRef = "",
            Status = SyncOperationStatus.Pending,
            NextAttemptAt = now,
            IdempotencyKey = "dep_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
        };
        var run = new DeploymentRun
        {
            Id = Guid.CreateVersion7(),
            ConfigId = config.Id,
            WebsiteId = config.WebsiteId,
            Status = DeploymentRunStatus.Queued,
            RequestedById = actor.UserId,
            SyncOperationId = operation.Id,
            NextAttemptAt = now,
        };
        operation.PayloadRef = run.Id.ToString();
        db.Set<SyncOperation>().Add(operation);
        db.Set<DeploymentRun>().Add(run);
        audit.Record(actor, "deployment.deploy", nameof(DeploymentRun), run.Id, new { configId = config.Id, config.Name, config.WebsiteId });
        await db.SaveChangesAsync(ct);
        queue.Enqueue(operation.Id);
        return new DeploymentRunDetails(run, config.Name, []);
    }

    public async Task<Page<DeploymentRunDetails>> ListRunsAsync(Actor actor, Guid configId, PageRequest page, CancellationToken ct)
    {
        var config = await VisibleConfigs(actor).FirstOrDefaultAsync(c => c.Id == configId, ct) ?? throw new NotFoundException("Deployment config");
        var runs = db.Set<DeploymentRun>().AsNoTracking().Where(r => r.ConfigId == configId);
        var total = await runs.CountAsync(ct);
        var items = await runs.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Skip(page.Skip).Take(page.PageSize).ToListAsync(ct);
        var ids = items.Select(r => r.Id).ToList();
        var attempts = (await db.Set<DeploymentAttempt>().AsNoTracking().Where(a => ids.Contains(a.RunId)).ToListAsync(ct))
            .OrderBy(a => a.Number).ToLookup(a => a.RunId);
        return new Page<DeploymentRunDetails>(items.Select(r => new DeploymentRunDetails(r, config.Name, attempts[r.Id].ToList())).ToList(),
            page.Page, page.PageSize, total);
    }

    public async Task<DeploymentRunDetails> GetRunAsync(Actor actor, Guid runId, CancellationToken ct)
    {
        var run = await db.Set<DeploymentRun>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, ct) ?? throw new NotFoundException("Deployment run");
        var config = await VisibleConfigs(actor).FirstOrDefaultAsync(c => c.Id == run.ConfigId, ct) ?? throw new NotFoundException("Deployment run");
        var attempts = await db.Set<DeploymentAttempt>().AsNoTracking().Where(a => a.RunId == runId).OrderBy(a => a.Number).ToListAsync(ct);
        return new DeploymentRunDetails(run, config.Name, attempts);
    }

    /// <summary>Retries a failed run by hand: a new round of attempts with the same idempotency key.</summary>
    public async Task<DeploymentRunDetails> RetryRunAsync(Actor actor, Guid runId, CancellationToken ct)
    {
        var details = await GetRunAsync(actor, runId, ct);
        if (details.Run.Status != DeploymentRunStatus.Failed)
            throw new ConflictException("run_not_retryable", "Only a failed deployment run can be retried.");
        var now = Clock.UtcNow(time);
        var run = await db.Set<DeploymentRun>().FirstAsync(r => r.Id == runId, ct);
        var operation = await db.Set<SyncOperation>().FirstAsync(o => o.Id == run.SyncOperationId, ct);
        (operation.Status, operation.Attempts, operation.NextAttemptAt, operation.LockedUntil, operation.LastError) =
            (SyncOperationStatus.Pending, 0, now, null, null);
        (run.Status, run.Error, run.FinishedAt, run.NextAttemptAt) = (DeploymentRunStatus.Queued, null, null, now);
        audit.Record(actor, "deployment.retry", nameof(DeploymentRun), run.Id, new { configId = run.ConfigId });
        await db.SaveChangesAsync(ct);
        queue.Enqueue(operation.Id);
        return await GetRunAsync(actor, runId, ct);
    }

    /// <summary>The latest failed runs across all websites, for the admin home.</summary>
    public async Task<IReadOnlyList<DeploymentRunDetails>> RecentFailuresAsync(Actor actor, int count, CancellationToken ct)
    {
        if (!actor.IsAdmin)
            throw new ForbiddenException();
        var rows = await db.Set<DeploymentRun>().AsNoTracking().Where(r => r.Status == DeploymentRunStatus.Failed)
            .OrderByDescending(r => r.FinishedAt).Take(count)
            .Join(db.Set<DeploymentConfig>(), r => r.ConfigId, c => c.Id, (r, c) => new { Run = r, c.Name }).ToListAsync(ct);
        return rows.Select(r => new DeploymentRunDetails(r.Run, r.Name, [])).ToList();
    }

    private IQueryable<DeploymentConfig> VisibleConfigs(Actor actor, bool tracking = false)
    {
        var configs = tracking ? db.Set<DeploymentConfig>().AsTracking() : db.Set<DeploymentConfig>().AsNoTracking();
        // The website rule inline (not WebsiteService.Visible, whose AsNoTracking would make the whole query untracked).
        return actor.IsAdmin ? configs : configs.Where(c => db.Set<Website>().Any(w => w.Id == c.WebsiteId && w.OwnerId == actor.UserId));
    }

    private async Task RequireWebsiteAsync(Actor actor, Guid websiteId, CancellationToken ct)
    {
        if (!await websites.IsAccessibleAsync(actor, websiteId, ct))
            throw new NotFoundException("Website");
    }

    private async Task<string?> CheckEndpointAsync(string? endpoint, Dictionary<string, string[]> errors, CancellationToken ct)
    {
        try
        {
            return (await guard.CheckAsync(endpoint, ct)).AbsoluteUri;
        }
        catch (ValidationFailedException ex)
        {
            foreach (var (field, messages) in ex.Errors)
                errors[field] = messages;
            return null;
        }
    }

    private static void ValidateCredential(string? credential, Dictionary<string, string[]> errors)
    {
        if (credential is null)
            return;
        try
        {
            SecretVault.Validate(credential, "credential");
        }
        catch (ValidationFailedException ex)
        {
            foreach (var (field, messages) in ex.Errors)
                errors[field] = messages;
        }
    }
}
