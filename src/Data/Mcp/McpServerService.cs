using Catalyst.Data.Deployments;
using Catalyst.Data.Audit;
using Catalyst.Data.Common;
using Catalyst.Data.Secrets;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Data.Mcp;

public sealed record McpServerQuery(string? Search = null, McpServerStatus? Status = null, McpTransport? Transport = null, bool IncludeDeleted = false);

/// <summary>A credential as anyone may see it: never its value, only its masked form.</summary>
public sealed record McpServerDetails(McpServer Server, CredentialSummary? Credential);

/// <summary>
/// MCP servers (SPEC §14): admins manage them, everyone signed in lists the active ones. Every
/// change is audited; the credential goes through the <see cref="SecretVault"/> only.
/// </summary>
public sealed class McpServerService(CatalystDbContext db, SecretVault vault, AuditLog audit, EndpointGuard guard, TimeProvider time)
{
    public async Task<Page<McpServerDetails>> ListAsync(Actor actor, McpServerQuery query, PageRequest page, CancellationToken ct)
    {
        RequireAdmin(actor);
        var servers = db.Set<McpServer>().AsNoTracking();
        if (!query.IncludeDeleted)
            servers = servers.Where(s => s.DeletedAt == null);
        if (query.Status is { } status)
            servers = servers.Where(s => s.Status == status);
        if (query.Transport is { } transport)
            servers = servers.Where(s => s.Transport == transport);
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var pattern = "%" + Projects.ProjectService.EscapeLike(query.Search.Trim().ToUpperInvariant()) + "%";
            servers = servers.Where(s => EF.Functions.Like(s.NormalizedName, pattern, "\\"));
        }
        var total = await servers.CountAsync(ct);
        var rows = await servers.OrderBy(s => s.DeletedAt != null).ThenBy(s => s.NormalizedName).ThenBy(s => s.Id)
            .Skip(page.Skip).Take(page.PageSize)
            .Select(s => new { Server = s, Credential = db.Set<Credential>().FirstOrDefault(c => c.McpServerId == s.Id) })
            .ToListAsync(ct);
        return new Page<McpServerDetails>(rows.Select(r => new McpServerDetails(r.Server, CredentialSummary.From(r.Credential))).ToList(),
            page.Page, page.PageSize, total);
    }

    /// <summary>What every signed-in user may see: live, active servers, without credentials.</summary>
    public async Task<IReadOnlyList<McpServer>> ListActiveAsync(CancellationToken ct) =>
        await db.Set<McpServer>().AsNoTracking().Where(s => s.DeletedAt == null && s.Status == McpServerStatus.Active)
            .OrderBy(s => s.NormalizedName).ToListAsync(ct);

    public async Task<McpServerDetails> GetAsync(Actor actor, Guid id, CancellationToken ct)
    {
        RequireAdmin(actor);
        var server = await db.Set<McpServer>().AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct) ?? throw new NotFoundException("MCP server");
        return new McpServerDetails(server, CredentialSummary.From(await vault.FindAsync(CredentialOwner.McpServer(id), ct)));
    }

    public async Task<McpServerDetails> CreateAsync(Actor actor, McpServerInput input, string? credential, CancellationToken ct)
    {
        RequireAdmin(actor);
        if (input.Transport is null)
            throw ValidationFailedException.For("transport", "Transport is required: stdio, http or sse.");
        var server = new McpServer
        {
            Id = Guid.CreateVersion7(),
            Name = "",
            NormalizedName = "",
            Status = McpServerStatus.Active,
            CreatedById = actor.UserId,
        };
        McpServerRules.Apply(server, input);
        McpServerRules.Validate(server);
        CheckEndpoint(server);
        if (!string.IsNullOrEmpty(credential))
            SecretVault.Validate(credential, "credential");
        await EnsureNameFreeAsync(server.NormalizedName, server.Id, ct);
        db.Set<McpServer>().Add(server);
        audit.Record(actor, "mcp.create", nameof(McpServer), server.Id, new { server.Name, transport = server.Transport.ToString().ToLowerInvariant() });
        if (!string.IsNullOrEmpty(credential))
            await vault.SetAsync(actor, CredentialOwner.McpServer(server.Id), CredentialName(server), credential, ct);
        await SaveAsync(null, ct);
        return await GetAsync(actor, server.Id, ct);
    }

    /// <summary>
    /// An http or sse server's endpoint follows the deployments' rule (https, public addresses only,
    /// unless <c>Catalyst:Deployments:AllowPrivateEndpoints</c>): one policy for every URL Catalyst
    /// connects to on a user's say, checked when saved and again when a connection is tested.
    /// </summary>
    private void CheckEndpoint(McpServer server)
    {
        if (server.Transport != McpTransport.Stdio)
            guard.CheckUrl(server.Endpoint, "endpoint");
    }

    /// <summary>Changes the fields the input names (status included: activation); <paramref name="expectedVersion"/> is the If-Match.</summary>
    public async Task<McpServerDetails> UpdateAsync(Actor actor, Guid id, long? expectedVersion, McpServerInput input, string? credential, CancellationToken ct)
    {
        RequireAdmin(actor);
        var server = await LiveForWriteAsync(id, expectedVersion, ct);
        var before = (server.NormalizedName, server.Status);
        McpServerRules.Apply(server, input);
        McpServerRules.Validate(server);
        CheckEndpoint(server);
        if (!string.IsNullOrEmpty(credential))
            SecretVault.Validate(credential, "credential");
        if (server.NormalizedName != before.NormalizedName)
            await EnsureNameFreeAsync(server.NormalizedName, server.Id, ct);
        var action = server.Status == before.Status ? "mcp.update" : server.Status == McpServerStatus.Active ? "mcp.activate" : "mcp.deactivate";
        audit.Record(actor, action, nameof(McpServer), server.Id, new { server.Name, status = server.Status.ToString().ToLowerInvariant() });
        if (!string.IsNullOrEmpty(credential))
            await vault.SetAsync(actor, CredentialOwner.McpServer(server.Id), CredentialName(server), credential, ct);
        await SaveAsync(server, ct);
        return await GetAsync(actor, id, ct);
    }

    /// <summary>Soft delete: the row stays (restorable) and its name is free for a new server.</summary>
    public async Task DeleteAsync(Actor actor, Guid id, long? expectedVersion, CancellationToken ct)
    {
        RequireAdmin(actor);
        var server = await LiveForWriteAsync(id, expectedVersion, ct);
        server.DeletedAt = Clock.UtcNow(time);
        audit.Record(actor, "mcp.delete", nameof(McpServer), server.Id, new { server.Name });
        await SaveAsync(server, ct);
    }

    public async Task<McpServerDetails> RestoreAsync(Actor actor, Guid id, CancellationToken ct)
    {
        RequireAdmin(actor);
        var server = await db.Set<McpServer>().FirstOrDefaultAsync(s => s.Id == id, ct) ?? throw new NotFoundException("MCP server");
        if (server.DeletedAt is null)
            throw new ConflictException("not_deleted", "This MCP server is not deleted.");
        await EnsureNameFreeAsync(server.NormalizedName, server.Id, ct);
        server.DeletedAt = null;
        audit.Record(actor, "mcp.restore", nameof(McpServer), server.Id, new { server.Name });
        await SaveAsync(server, ct);
        return await GetAsync(actor, id, ct);
    }

    /// <summary>Attaches or rotates the credential (write-only); answers its masked form.</summary>
    public async Task<CredentialSummary> SetCredentialAsync(Actor actor, Guid id, string? value, CancellationToken ct)
    {
        RequireAdmin(actor);
        var server = await LiveForWriteAsync(id, null, ct);
        var credential = await vault.SetAsync(actor, CredentialOwner.McpServer(id), CredentialName(server), value!, ct);
        await db.SaveChangesAsync(ct);
        return CredentialSummary.From(credential)!;
    }

    public async Task RemoveCredentialAsync(Actor actor, Guid id, CancellationToken ct)
    {
        RequireAdmin(actor);
        await LiveForWriteAsync(id, null, ct);
        await vault.RemoveAsync(actor, CredentialOwner.McpServer(id), ct);
        await db.SaveChangesAsync(ct);
    }

    private static string CredentialName(McpServer server) => $"{server.Name} credential";

    private static void RequireAdmin(Actor actor)
    {
        if (!actor.IsAdmin)
            throw new ForbiddenException("MCP servers are managed by admins.");
    }

    private async Task<McpServer> LiveForWriteAsync(Guid id, long? expectedVersion, CancellationToken ct)
    {
        var server = await db.Set<McpServer>().FirstOrDefaultAsync(s => s.Id == id && s.DeletedAt == null, ct) ?? throw new NotFoundException("MCP server");
        if (expectedVersion is { } expected && server.Version != expected)
            throw new VersionConflictException(server.Version);
        return server;
    }

    private async Task EnsureNameFreeAsync(string normalizedName, Guid except, CancellationToken ct)
    {
        if (await db.Set<McpServer>().AnyAsync(s => s.NormalizedName == normalizedName && s.DeletedAt == null && s.Id != except, ct))
            throw NameTaken();
    }

    private async Task SaveAsync(McpServer? versioned, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException) when (versioned is not null)
        {
            var current = await db.Set<McpServer>().AsNoTracking().Where(s => s.Id == versioned.Id).Select(s => (long?)s.Version).FirstOrDefaultAsync(ct);
            throw current is null ? new NotFoundException("MCP server") : new VersionConflictException(current.Value);
        }
        catch (DbUpdateException)
        {
            // Two admins claimed the same name at once; the filtered unique index decided.
            throw NameTaken();
        }
    }

    private static ConflictException NameTaken() => new("name_taken", "A live MCP server already has this name.");
}
