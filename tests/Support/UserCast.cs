namespace Catalyst.Tests.Support;

/// <summary>A user of the Portal under test, signed up with a password and an API token.</summary>
public sealed record TestUser(Guid Id, string Email, string Password, string Token, bool IsAdmin);

/// <summary>What a <see cref="UserCast"/> needs from the Portal under test.</summary>
public interface ICastPortal
{
    /// <summary>A new user with a unique e-mail (starting with <paramref name="name"/>) and an API token.</summary>
    Task<TestUser> CreateUserAsync(string? name = null, bool admin = false);

    /// <summary>A cookie-keeping client signed in as <paramref name="user"/> through the sign-in page.</summary>
    Task<HttpClient> CreateSignedInBrowserAsync(TestUser user);

    /// <summary>An API client with <paramref name="token"/> as its bearer token (none: anonymous).</summary>
    HttpClient CreateApiClient(string? token = null);

    /// <summary>A cookie-keeping client that is not signed in.</summary>
    HttpClient CreateBrowser();
}

/// <summary>The actors' names the authorization tests use in their tables.</summary>
public static class Actors
{
    public const string Anonymous = "anonymous";
    public const string Owner = "owner";
    public const string Other = "other user";
    public const string Admin = "admin";
}

/// <summary>One role of a cast: the actor's name in test data, the e-mail's prefix, and whether it is an admin.</summary>
public sealed record CastMember(string Actor, string Name, bool Admin = false);

/// <summary>
/// The people of an authorization test — by default an owner, another user and an admin, plus
/// anonymous (no user) — each with an API token and a signed-in browser, made once and shared by
/// the test class's cases. Cases name actors; <see cref="Api"/> and <see cref="Browser"/> answer
/// for anonymous too.
/// </summary>
public class UserCast(ICastPortal portal, IReadOnlyList<CastMember> members)
{
    /// <summary>An owner, another user and an admin.</summary>
    public static readonly IReadOnlyList<CastMember> OwnerOtherAdmin =
        [new(Actors.Owner, "owner"), new(Actors.Other, "other"), new(Actors.Admin, "admin", Admin: true)];

    private readonly Dictionary<string, TestUser> _users = [];
    private readonly Dictionary<string, HttpClient> _browsers = [];

    public async ValueTask InitializeAsync()
    {
        foreach (var member in members)
            _users[member.Actor] = await portal.CreateUserAsync(member.Name, member.Admin);
        foreach (var member in members)
            _browsers[member.Actor] = await portal.CreateSignedInBrowserAsync(_users[member.Actor]);
    }

    /// <summary>The actor's user; none for anonymous.</summary>
    public TestUser? User(string actor) => _users.GetValueOrDefault(actor);

    /// <summary>A new API client with the actor's token (none for anonymous).</summary>
    public HttpClient Api(string actor) => portal.CreateApiClient(User(actor)?.Token);

    /// <summary>The actor's signed-in browser; a new one, signed out, for anonymous.</summary>
    public HttpClient Browser(string actor) => _browsers.TryGetValue(actor, out var browser) ? browser : portal.CreateBrowser();

    protected TestUser Member(string actor) => _users.TryGetValue(actor, out var user) ? user : throw new InvalidOperationException($"The cast has no {actor} (or is not initialized).");

    public ValueTask DisposeAsync()
    {
        foreach (var browser in _browsers.Values)
            browser.Dispose();
        return ValueTask.CompletedTask;
    }
}
