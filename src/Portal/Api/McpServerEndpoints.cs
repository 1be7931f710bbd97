using Catalyst.Data.Secrets;
using Catalyst.Data.Common;
using Catalyst.Data.Mcp;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Catalyst.Portal.Api;

/// <summary>A credential as the API shows it: masked, never its value.</summary>
public sealed record CredentialDto(string Name, string Masked, string KeyId, DateTime UpdatedAt, DateTime? LastReadAt)
{
    public static CredentialDto? From(CredentialSummary? c) => c is null ? null : new(c.Name, c.Masked, c.KeyId, c.UpdatedAt, c.LastReadAt);
}

/// <summary>Fields left out (null) keep their value on PUT; <c>credential</c> attaches or rotates the secret (write-only).</summary>
public sealed record McpServerRequest(string? Name, string? Description, string? Transport, string? Endpoint, string? Command, string? Status, string? Credential)
{
    public McpServerInput ToInput() => new(Name, Description, QueryValues.ParseEnum<McpTransport>(Transport, "transport"), Endpoint, Command,
        QueryValues.ParseEnum<McpServerStatus>(Status, "status"));
}

public sealed record CredentialRequest(string? Value);

public sealed record McpServerDto(
    Guid Id, string Name, string? Description, McpTransport Transport, string? Endpoint, string? Command, McpServerStatus Status,
    DateTime? DeletedAt, CredentialDto? Credential, DateTime CreatedAt, DateTime UpdatedAt, long Version)
{
    public static McpServerDto From(McpServerDetails d) => new(d.Server.Id, d.Server.Name, d.Server.Description, d.Server.Transport, d.Server.Endpoint,
        d.Server.Command, d.Server.Status, d.Server.DeletedAt, CredentialDto.From(d.Credential), d.Server.CreatedAt, d.Server.UpdatedAt, d.Server.Version);
}

/// <summary>What every signed-in user sees of an active MCP server: how to reach it, nothing about its credential.</summary>
public sealed record PublicMcpServerDto(Guid Id, string Name, string? Description, McpTransport Transport, string? Endpoint, string? Command)
{
    public static PublicMcpServerDto From(McpServer s) => new(s.Id, s.Name, s.Description, s.Transport, s.Endpoint, s.Command);
}

public static class McpServerEndpoints
{
    public static IEndpointRouteBuilder MapMcpServers(this IEndpointRouteBuilder api)
    {
        api.MapGet("/mcp-servers", ListActiveAsync)
            .WithTags("MCP servers")
            .WithSummary("The active MCP servers, for any signed-in user (never their credentials).");

        var admin = api.MapGroup("/admin/mcp-servers").WithTags("Admin").RequireAuthorization(Policies.ApiAdmin);

        admin.MapGet("", ListAsync)
            .WithSummary("List MCP servers (admin); deleted ones only with includeDeleted=true.")
            .ProducesProblem(400).ProducesProblem(403);

        admin.MapPost("", CreateAsync)
            .WithSummary("Create an MCP server (admin): stdio needs a command, http and sse an absolute URL; an optional credential is stored encrypted.")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409);

        admin.MapGet("/{id:guid}", GetAsync)
            .WithSummary("One MCP server (admin), deleted or not; the ETag is its version.")
            .ProducesProblem(403).ProducesProblem(404);

        admin.MapPut("/{id:guid}", UpdateAsync)
            .WithSummary("Change an MCP server (admin): the fields sent, status included (activate/deactivate). Requires If-Match.")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);

        admin.MapDelete("/{id:guid}", DeleteAsync)
            .WithSummary("Soft-delete an MCP server (admin): it can be restored, and its name is free for a new server.")
            .ProducesProblem(403).ProducesProblem(404).ProducesProblem(412);

        admin.MapPost("/{id:guid}/restore", RestoreAsync)
            .WithSummary("Restore a deleted MCP server (admin); 409 name_taken when a live server has its name now.")
            .ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        admin.MapPut("/{id:guid}/credential", SetCredentialAsync)
            .WithSummary("Attach or rotate the server's credential (admin). Write-only: the answer carries its masked form only.")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);

        admin.MapPost("/{id:guid}/test", TestAsync)
            .WithSummary("Test the connection to an http or sse server (admin): an initialize request (http) or the event stream (sse), with the credential as bearer. The credential read is audited; private addresses are refused like deployment endpoints.")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);

        admin.MapDelete("/{id:guid}/credential", RemoveCredentialAsync)
            .WithSummary("Remove the server's credential (admin).")
            .ProducesProblem(403).ProducesProblem(404);

        return api;
    }

    public static async Task<Ok<DataEnvelope<List<PublicMcpServerDto>>>> ListActiveAsync(McpServerService service, CancellationToken ct) =>
        ApiResults.Ok((await service.ListActiveAsync(ct)).Select(PublicMcpServerDto.From).ToList());

    public static async Task<Ok<PageEnvelope<McpServerDto>>> ListAsync(HttpContext http, McpServerService service, string? q, string? status, string? transport,
        bool? includeDeleted, int? page, int? pageSize, CancellationToken ct) =>
        ApiResults.Page(await service.ListAsync(http.User.ToActor(),
            new McpServerQuery(q, QueryValues.ParseEnum<McpServerStatus>(status, "status"), QueryValues.ParseEnum<McpTransport>(transport, "transport"), includeDeleted ?? false),
            new PageRequest(page, pageSize), ct), McpServerDto.From);

    public static async Task<Created<DataEnvelope<McpServerDto>>> CreateAsync(McpServerRequest request, HttpContext http, McpServerService service, CancellationToken ct)
    {
        var created = await service.CreateAsync(http.User.ToActor(), request.ToInput(), request.Credential, ct);
        return ApiResults.Created(http, $"/api/admin/mcp-servers/{created.Server.Id}", McpServerDto.From(created), created.Server.Version);
    }

    public static async Task<Ok<DataEnvelope<McpServerDto>>> GetAsync(Guid id, HttpContext http, McpServerService service, CancellationToken ct)
    {
        var server = await service.GetAsync(http.User.ToActor(), id, ct);
        return ApiResults.Ok(http, McpServerDto.From(server), server.Server.Version);
    }

    public static async Task<Ok<DataEnvelope<McpServerDto>>> UpdateAsync(Guid id, McpServerRequest request, HttpContext http, McpServerService service, CancellationToken ct)
    {
        var expected = ETags.RequireIfMatch(http.Request);
        var server = await service.UpdateAsync(http.User.ToActor(), id, expected, request.ToInput(), request.Credential, ct);
        return ApiResults.Ok(http, McpServerDto.From(server), server.Server.Version);
    }

    public static async Task<NoContent> DeleteAsync(Guid id, HttpContext http, McpServerService service, CancellationToken ct)
    {
        await service.DeleteAsync(http.User.ToActor(), id, ETags.ParseIfMatch(http.Request), ct);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<DataEnvelope<McpServerDto>>> RestoreAsync(Guid id, HttpContext http, McpServerService service, CancellationToken ct)
    {
        var server = await service.RestoreAsync(http.User.ToActor(), id, ct);
        return ApiResults.Ok(http, McpServerDto.From(server), server.Server.Version);
    }

    public static async Task<Ok<DataEnvelope<CredentialDto>>> SetCredentialAsync(Guid id, CredentialRequest request, HttpContext http, McpServerService service, CancellationToken ct) =>
        ApiResults.Ok(CredentialDto.From(await service.SetCredentialAsync(http.User.ToActor(), id, request.Value, ct))!);

    public static async Task<Ok<DataEnvelope<McpConnectionResult>>> TestAsync(Guid id, HttpContext http, McpConnectionTester tester, CancellationToken ct) =>
        ApiResults.Ok(await tester.TestAsync(http.User.ToActor(), id, ct));

    public static async Task<NoContent> RemoveCredentialAsync(Guid id, HttpContext http, McpServerService service, CancellationToken ct)
    {
        await service.RemoveCredentialAsync(http.User.ToActor(), id, ct);
        return TypedResults.NoContent();
    }
}
