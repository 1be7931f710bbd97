namespace Catalyst.Data.Common;

/// <summary>The one paging shape of every list: 1-based page, bounded page size.</summary>
public sealed record PageRequest
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    public int Page { get; }
    public int PageSize { get; }

    public PageRequest(int? page, int? pageSize)
    {
        var errors = new Dictionary<string, string[]>();
        if (page is < 1)
            errors["page"] = ["page must be 1 or more."];
        if (pageSize is < 1 or > MaxPageSize)
            errors["pageSize"] = [$"pageSize must be between 1 and {MaxPageSize}."];
        if (errors.Count > 0)
            throw new ValidationFailedException(errors);
        Page = page ?? 1;
        PageSize = pageSize ?? DefaultPageSize;
    }

    public int Skip => (Page - 1) * PageSize;
}

public sealed record Page<T>(IReadOnlyList<T> Items, int PageNumber, int PageSize, int Total)
{
    public int PageCount => Total == 0 ? 1 : (Total + PageSize - 1) / PageSize;
    public bool HasPrevious => PageNumber > 1;
    public bool HasNext => PageNumber < PageCount;
}
