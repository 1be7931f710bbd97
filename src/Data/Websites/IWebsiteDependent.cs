namespace Catalyst.Data.Websites;

/// <summary>
/// A part that keeps rows pointing at websites (assets). <see cref="WebsiteService"/> calls every
/// registered dependent inside the one website-delete path's transaction, before the website row goes.
/// </summary>
public interface IWebsiteDependent
{
    Task WebsiteRemovingAsync(Guid websiteId, Guid ownerId, CancellationToken ct);
}
