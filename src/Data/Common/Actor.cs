namespace Catalyst.Data.Common;

/// <summary>Who is asking: the signed-in user of a page, the owner of an API token, or a job's requester.</summary>
public sealed record Actor(Guid UserId, string Email, bool IsAdmin)
{
    /// <summary>The resource rule of the product: owners see their own rows, admins see all.</summary>
    public bool CanAccess(Guid ownerId) => IsAdmin || ownerId == UserId;
}
