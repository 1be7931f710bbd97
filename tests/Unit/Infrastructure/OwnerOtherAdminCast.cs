namespace Catalyst.Tests.Unit.Infrastructure;

/// <summary>An owner, another user and an admin on the assembly's Portal, each with a token and a signed-in browser, shared by a matrix's cases.</summary>
public sealed class OwnerOtherAdminCast(PortalFactory portal) : UserCast(portal, OwnerOtherAdmin), IAsyncLifetime
{
    public TestUser Owner => Member(Actors.Owner);
    public TestUser Other => Member(Actors.Other);
    public TestUser Admin => Member(Actors.Admin);
}
