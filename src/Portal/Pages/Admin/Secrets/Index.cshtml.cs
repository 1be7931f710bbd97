using Catalyst.Data.Jobs;
using Catalyst.Data.Secrets;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Admin.Secrets;

/// <summary>The vault as admins see it: its data keys, every credential masked, and key rotation.</summary>
public class IndexModel(SecretKeyRotation rotation, SecretVault vault, MasterKey master, JobRunService jobs) : PageModel
{
    public IReadOnlyList<SecretKeySummary> Keys { get; private set; } = [];
    public IReadOnlyList<CredentialListing> Credentials { get; private set; } = [];
    public IReadOnlyList<JobRun> Rotations { get; private set; } = [];
    public string MasterKeyId => master.Id;
    public bool DevelopmentKey => master.IsDevelopmentKey;

    public async Task OnGetAsync(CancellationToken ct)
    {
        ViewData["Section"] = "Admin";
        Keys = await rotation.ListAsync(ct);
        Credentials = await vault.ListAsync(200, ct);
        Rotations = (await jobs.ListAsync(User.ToActor(), new JobRunQuery(SecretKeyRotationJob.Kind), new Catalyst.Data.Common.PageRequest(1, 5), ct)).Items;
    }

    public async Task<IActionResult> OnPostRotateAsync(CancellationToken ct)
    {
        var run = await rotation.StartAsync(User.ToActor(), ct);
        TempData["Flash"] = "Key rotation started: new secrets use the new key now, existing ones are being re-encrypted.";
        return RedirectToPage("/Jobs/Details", new { id = run.Id });
    }
}
