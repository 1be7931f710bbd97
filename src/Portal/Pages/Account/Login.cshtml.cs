using System.ComponentModel.DataAnnotations;
using Catalyst.Data.Configuration;
using Catalyst.Data.Identity;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Catalyst.Portal.Pages.Account;

[EnableRateLimiting(SignInThrottle.PolicyName)]
public class LoginModel(SignInManager<CatalystUser> signIn, SignInThrottle throttle, IOptions<CatalystOptions> options) : PageModel
{
    [BindProperty]
    public LoginInput Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public bool AllowRegistration => options.Value.AllowRegistration;

    public sealed class LoginInput
    {
        [Required(ErrorMessage = "E-mail is required."), EmailAddress(ErrorMessage = "Enter an e-mail address."), StringLength(256)]
        [Display(Name = "E-mail")]
        public string Email { get; set; } = "";

        [Required(ErrorMessage = "Password is required."), DataType(DataType.Password), StringLength(256)]
        public string Password { get; set; } = "";

        [Display(Name = "Keep me signed in")]
        public bool RememberMe { get; set; }
    }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
            return Page();
        if (throttle.TryAcquire(Input.Email) is not null)
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = "60";
            ModelState.AddModelError("", "Too many sign-in attempts for this account. Wait a minute and try again.");
            return Page();
        }
        var result = await signIn.PasswordSignInAsync(Input.Email.Trim(), Input.Password, Input.RememberMe, lockoutOnFailure: true);
        if (result.Succeeded)
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
        // Unknown account, wrong password, locked or disabled: one message (SPEC §3, no enumeration).
        ModelState.AddModelError("", "The e-mail or password is not correct.");
        return Page();
    }
}
