using System.ComponentModel.DataAnnotations;
using Catalyst.Data.Common;
using Catalyst.Data.Configuration;
using Catalyst.Data.Identity;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Catalyst.Portal.Pages.Account;

/// <summary>Self-registration, off unless <c>Catalyst:AllowRegistration</c> is true (then 404).</summary>
[EnableRateLimiting(SignInThrottle.PolicyName)]
public class RegisterModel(UserAdminService users, SignInManager<CatalystUser> signIn, IOptions<CatalystOptions> options) : PageModel
{
    [BindProperty]
    public RegisterInput Input { get; set; } = new();

    public sealed class RegisterInput
    {
        [Required(ErrorMessage = "E-mail is required."), EmailAddress(ErrorMessage = "Enter an e-mail address."), StringLength(256)]
        public string Email { get; set; } = "";

        [Required(ErrorMessage = "Password is required."), DataType(DataType.Password), StringLength(256, MinimumLength = 8, ErrorMessage = "At least 8 characters.")]
        public string Password { get; set; } = "";
    }

    public IActionResult OnGet() => options.Value.AllowRegistration ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!options.Value.AllowRegistration)
            return NotFound();
        if (!ModelState.IsValid)
            return Page();
        try
        {
            var created = await users.CreateAsync(new Actor(Guid.Empty, Input.Email, false), Input.Email, Input.Password, [Roles.User], ct);
            var user = await signIn.UserManager.FindByIdAsync(created.Id.ToString());
            await signIn.SignInAsync(user!, isPersistent: false);
            return LocalRedirect("/");
        }
        catch (ValidationFailedException ex)
        {
            ModelState.AddDomainErrors(ex);
            return Page();
        }
        catch (ConflictException ex)
        {
            ModelState.AddModelError("Input.Email", ex.Message);
            return Page();
        }
    }
}
