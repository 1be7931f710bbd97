using Catalyst.Data.Common;
using Catalyst.Data.Mcp;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Admin.Mcp;

/// <summary>
/// Create (no id) or edit an MCP server. The credential field is write-only: it is never filled in,
/// not even after a refused post, and the current one shows masked.
/// </summary>
public class EditModel(McpServerService servers, McpConnectionTester tester) : PageModel
{
    public sealed class McpServerForm
    {
        public string? Name { get; set; }
        public string? Description { get; set; }
        public McpTransport Transport { get; set; } = McpTransport.Http;
        public string? Endpoint { get; set; }
        public string? Command { get; set; }
        public McpServerStatus Status { get; set; } = McpServerStatus.Active;
        public string? Credential { get; set; }
        public bool RemoveCredential { get; set; }
    }

    [BindProperty]
    public McpServerForm Input { get; set; } = new();

    [BindProperty]
    public long Version { get; set; }

    public McpServerDetails? Existing { get; private set; }
    public bool Conflict { get; private set; }

    /// <summary>The outcome of "Test connection", when it was just run.</summary>
    public McpConnectionResult? TestResult { get; private set; }
    public string? TestRefusal { get; private set; }

    public async Task OnGetAsync(Guid? id, CancellationToken ct)
    {
        ViewData["Section"] = "Admin";
        if (id is { } existing)
        {
            Existing = await servers.GetAsync(User.ToActor(), existing, ct);
            var s = Existing.Server;
            if (s.IsDeleted)
                throw new NotFoundException("MCP server");
            Input = new McpServerForm
            {
                Name = s.Name, Description = s.Description, Transport = s.Transport, Endpoint = s.Endpoint, Command = s.Command, Status = s.Status,
            };
            Version = s.Version;
        }
    }

    public async Task<IActionResult> OnPostTestAsync(Guid id, CancellationToken ct)
    {
        try
        {
            TestResult = await tester.TestAsync(User.ToActor(), id, ct);
        }
        catch (ValidationFailedException ex)
        {
            TestRefusal = string.Join(" ", ex.Errors.SelectMany(e => e.Value));
        }
        ModelState.Clear();
        await OnGetAsync(id, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid? id, CancellationToken ct)
    {
        ViewData["Section"] = "Admin";
        var actor = User.ToActor();
        var credential = string.IsNullOrEmpty(Input.Credential) ? null : Input.Credential;
        Input.Credential = null;
        var input = new McpServerInput(Input.Name ?? "", Input.Description ?? "", Input.Transport, Input.Endpoint ?? "", Input.Command ?? "", Input.Status);
        try
        {
            if (id is { } existing)
            {
                var saved = await servers.UpdateAsync(actor, existing, Version, input, credential, ct);
                if (Input.RemoveCredential && credential is null && saved.Credential is not null)
                    await servers.RemoveCredentialAsync(actor, existing, ct);
                TempData["Flash"] = $"MCP server “{saved.Server.Name}” was saved.";
            }
            else
            {
                var created = await servers.CreateAsync(actor, input, credential, ct);
                TempData["Flash"] = $"MCP server “{created.Server.Name}” was created.";
            }
            return RedirectToPage("Index");
        }
        catch (ValidationFailedException ex)
        {
            ModelState.AddDomainErrors(ex);
        }
        catch (ConflictException ex) when (ex.Code == "name_taken")
        {
            ModelState.AddModelError("Input.Name", ex.Message);
        }
        catch (VersionConflictException)
        {
            Conflict = true;
            Response.StatusCode = StatusCodes.Status409Conflict;
        }
        if (id is { } again)
            Existing = await servers.GetAsync(actor, again, ct);
        return Page();
    }
}
