using System.ComponentModel.DataAnnotations;
using Catalyst.Data.Common;
using Catalyst.Data.Tokens;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Account;

/// <summary>
/// Account → API tokens. A new token's value is rendered in the POST response itself and
/// never stored anywhere (no TempData: that would put the secret in a cookie).
/// </summary>
public class TokensModel(ApiTokenService tokens, TimeProvider time) : PageModel
{
    public List<ApiToken> Tokens { get; private set; } = [];
    public string? NewTokenValue { get; private set; }
    public string? NewTokenName { get; private set; }

    [BindProperty]
    public CreateTokenInput Input { get; set; } = new();

    public sealed class CreateTokenInput
    {
        [Required(ErrorMessage = "Give the token a name."), StringLength(ApiTokenService.MaxNameLength)]
        public string Name { get; set; } = "";

        [Display(Name = "Expires after (days)"), Range(1, 3650, ErrorMessage = "Between 1 and 3650 days, or leave empty for no expiry.")]
        public int? ExpiresInDays { get; set; }
    }

    public DateTime Now => time.GetUtcNow().UtcDateTime;

    public async Task OnGetAsync(CancellationToken ct)
    {
        ViewData["Section"] = "Account";
        Tokens = await tokens.ListAsync(User.ToActor().UserId, ct);
    }

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        if (ModelState.IsValid)
        {
            try
            {
                DateTime? expires = Input.ExpiresInDays is { } days ? Now.AddDays(days) : null;
                var (token, value) = await tokens.CreateAsync(User.ToActor().UserId, Input.Name, expires, ct);
                NewTokenValue = value;
                NewTokenName = token.Name;
                Input = new CreateTokenInput();
                ModelState.Clear();
                Response.Headers.CacheControl = "no-store";
            }
            catch (ValidationFailedException ex)
            {
                ModelState.AddDomainErrors(ex);
            }
        }
        await OnGetAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid id, CancellationToken ct)
    {
        await tokens.RevokeAsync(User.ToActor(), id, ct);
        TempData["Flash"] = "The token was revoked.";
        return RedirectToPage();
    }
}
