using System.Text.Json;
using Catalyst.Data.Common;
using Catalyst.Data.Deployments;
using Catalyst.Data.Websites;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Websites;

/// <summary>
/// Create (no config id) or edit a website's deployment config. The credential field is write-only:
/// never filled in, not even after a refused post; the current credential shows masked.
/// </summary>
public class DeploymentModel(WebsiteService websites, DeploymentService deployments) : PageModel
{
    public sealed class ConfigForm
    {
        public string? Name { get; set; }
        public string? Provider { get; set; } = "webhook";
        public string? Endpoint { get; set; }
        public string? Settings { get; set; }
        public string? Credential { get; set; }
        public bool RemoveCredential { get; set; }
    }

    [BindProperty]
    public ConfigForm Input { get; set; } = new();

    [BindProperty]
    public long Version { get; set; }

    public Website Website { get; private set; } = null!;
    public DeploymentConfigDetails? Existing { get; private set; }
    public bool Conflict { get; private set; }

    public async Task OnGetAsync(Guid id, Guid? configId, CancellationToken ct)
    {
        ViewData["Section"] = "Websites";
        Website = await websites.GetAsync(User.ToActor(), id, ct);
        if (configId is { } existing)
        {
            Existing = await LoadAsync(id, existing, ct);
            var c = Existing.Config;
            Input = new ConfigForm { Name = c.Name, Provider = c.Provider, Endpoint = c.Endpoint, Settings = c.Settings == "{}" ? null : JsonPretty.Indent(c.Settings) };
            Version = c.Version;
        }
    }

    public async Task<IActionResult> OnPostAsync(Guid id, Guid? configId, CancellationToken ct)
    {
        ViewData["Section"] = "Websites";
        var actor = User.ToActor();
        Website = await websites.GetAsync(actor, id, ct);
        var credential = string.IsNullOrEmpty(Input.Credential) ? null : Input.Credential;
        Input.Credential = null;
        JsonElement? settings = null;
        if (!string.IsNullOrWhiteSpace(Input.Settings))
        {
            try
            {
                settings = JsonLimits.ParseValue(Input.Settings);
            }
            catch (JsonException)
            {
                ModelState.AddModelError("Input.Settings", "Settings must be a JSON object, e.g. {\"branch\": \"main\"}.");
            }
        }
        if (ModelState.IsValid)
        {
            var input = new DeploymentConfigInput(Input.Name ?? "", Input.Provider ?? "", Input.Endpoint ?? "", settings ?? JsonDocument.Parse("{}").RootElement);
            try
            {
                var saved = configId is { } existing
                    ? await deployments.UpdateConfigAsync(actor, existing, Version, input, credential, Input.RemoveCredential, ct)
                    : await deployments.CreateConfigAsync(actor, id, input, credential, ct);
                TempData["Flash"] = $"Deployment config “{saved.Config.Name}” was saved.";
                return Redirect($"/Websites/Details/{id}?tab=deployments");
            }
            catch (ValidationFailedException ex)
            {
                ModelState.AddDomainErrors(ex);
            }
            catch (VersionConflictException)
            {
                Conflict = true;
                Response.StatusCode = StatusCodes.Status409Conflict;
            }
        }
        if (configId is { } again)
            Existing = await LoadAsync(id, again, ct);
        return Page();
    }

    private async Task<DeploymentConfigDetails> LoadAsync(Guid websiteId, Guid configId, CancellationToken ct)
    {
        var config = await deployments.GetConfigAsync(User.ToActor(), configId, ct);
        return config.Config.WebsiteId == websiteId ? config : throw new NotFoundException("Deployment config");
    }
}
