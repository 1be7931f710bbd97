using Catalyst.Data.Common;
using Catalyst.Data.Identity;
using Catalyst.Data.Tokens;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace Catalyst.Portal.Api;

public sealed record TokenRequest(string? Email, string? Password, string? Name, int? ExpiresInDays);

public sealed record IssuedToken(Guid Id, string Token, string Name, DateTime? ExpiresAt);

public sealed record ApiTokenDto(Guid Id, string Name, string Prefix, DateTime CreatedAt, DateTime? ExpiresAt, DateTime? LastUsedAt, DateTime? RevokedAt)
{
    public static ApiTokenDto From(ApiToken t) => new(t.Id, t.Name, ApiTokenService.TokenPrefix + t.Prefix + "…", t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt);
}

public static class AuthEndpoints
{
    public const int MaxTokenLifetimeDays = 3650;

    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder api)
    {
        api.MapPost("/auth/token", IssueTokenAsync)
            .AllowAnonymous()
            .RequireRateLimiting(SignInThrottle.PolicyName)
            .WithTags("Auth")
            .WithSummary("Exchange e-mail and password for an API token (rate limited, lockout after 5 failures). An unknown account, a wrong password and a locked account all answer 401 invalid_credentials.")
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(429);

        var me = api.MapGroup("/me/tokens").WithTags("Auth");
        me.MapGet("", ListTokensAsync)
            .WithSummary("List your API tokens (values are never shown again).");
        // The Location of a newly issued token.
        me.MapGet("/{id:guid}", GetTokenAsync)
            .WithSummary("One of your API tokens (without its value).")
            .ProducesProblem(404);
        me.MapDelete("/{id:guid}", RevokeTokenAsync)
            .WithSummary("Revoke one of your API tokens.").ProducesProblem(404);

        return api;
    }

    public static async Task<Ok<DataEnvelope<List<ApiTokenDto>>>> ListTokensAsync(HttpContext http, ApiTokenService tokens, CancellationToken ct) =>
        ApiResults.Ok((await tokens.ListAsync(http.User.ToActor().UserId, ct)).Select(ApiTokenDto.From).ToList());

    public static async Task<Ok<DataEnvelope<ApiTokenDto>>> GetTokenAsync(Guid id, HttpContext http, ApiTokenService tokens, CancellationToken ct) =>
        ApiResults.Ok(ApiTokenDto.From(await tokens.GetAsync(http.User.ToActor(), id, ct)));

    public static async Task<NoContent> RevokeTokenAsync(Guid id, HttpContext http, ApiTokenService tokens, CancellationToken ct)
    {
        await tokens.RevokeAsync(http.User.ToActor(), id, ct);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Created<DataEnvelope<IssuedToken>>, ProblemHttpResult>> IssueTokenAsync(TokenRequest request, HttpContext http,
        SignInManager<CatalystUser> signIn, SignInThrottle throttle, ApiTokenService tokens, TimeProvider time)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Email)) errors["email"] = ["E-mail is required."];
        else if (request.Email.Length > 256 || request.Email.Any(char.IsControl)) errors["email"] = ["An e-mail address is at most 256 characters of plain text."];
        if (string.IsNullOrEmpty(request.Password)) errors["password"] = ["Password is required."];
        if (string.IsNullOrWhiteSpace(request.Name)) errors["name"] = ["A token name is required."];
        if (request.ExpiresInDays is < 1 or > MaxTokenLifetimeDays) errors["expiresInDays"] = [$"expiresInDays must be between 1 and {MaxTokenLifetimeDays}."];
        if (errors.Count > 0)
            throw new ValidationFailedException(errors);

        if (throttle.TryAcquire(request.Email) is { } wait)
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problem(429, "Too many attempts", "Too many sign-in attempts for this account. Try again later.", "rate_limited");
        }

        // Unknown account, wrong password, locked or disabled: one answer (SPEC §3, no enumeration).
        var user = await ((CatalystSignInManager)signIn).CheckCredentialsAsync(request.Email!.Trim(), request.Password!);
        if (user is null)
            return Problem(401, "Invalid credentials", "The e-mail or password is not correct.", "invalid_credentials");

        DateTime? expiresAt = request.ExpiresInDays is { } days ? time.GetUtcNow().UtcDateTime.AddDays(days) : null;
        var (token, value) = await tokens.CreateAsync(user.Id, request.Name, expiresAt, http.RequestAborted);
        return ApiResults.Created(http, $"/api/me/tokens/{token.Id}", new IssuedToken(token.Id, value, token.Name, token.ExpiresAt));
    }

    private static ProblemHttpResult Problem(int status, string title, string detail, string code) =>
        TypedResults.Problem(detail, statusCode: status, title: title, extensions: new Dictionary<string, object?> { ["code"] = code });
}
