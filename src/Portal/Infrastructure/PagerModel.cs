using Catalyst.Data.Common;

namespace Catalyst.Portal.Infrastructure;

/// <summary>What the shared <c>_Pager</c> partial needs: the page, the list URL without <c>page</c>, and the htmx target to swap.</summary>
public sealed record PagerModel(int PageNumber, int PageCount, int Total, string BaseUrl, string? HxTarget)
{
    public bool HasPrevious => PageNumber > 1;
    public bool HasNext => PageNumber < PageCount;

    public static PagerModel For<T>(Page<T> page, string baseUrl, string? hxTarget = null) =>
        new(page.PageNumber, page.PageCount, page.Total, baseUrl, hxTarget);
}
