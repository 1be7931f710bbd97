using Catalyst.Data.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Catalyst.Portal.Infrastructure;

/// <summary>Identity's sign-in manager, refusing disabled accounts.</summary>
public sealed class CatalystSignInManager(
    UserManager<CatalystUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<CatalystUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<CatalystUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<CatalystUser> confirmation)
    : SignInManager<CatalystUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public override async Task<bool> CanSignInAsync(CatalystUser user) =>
        !user.IsDisabled && await base.CanSignInAsync(user);
}
