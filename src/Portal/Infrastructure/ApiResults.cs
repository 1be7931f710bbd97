using Catalyst.Data.Common;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Catalyst.Portal.Infrastructure;

public sealed record DataEnvelope<T>(T Data);

public sealed record PageMeta(int Page, int PageSize, int Total);

public sealed record PageEnvelope<T>(IReadOnlyList<T> Data, PageMeta Meta);

/// <summary>Lists paged by cursor (SPEC §4 "or a cursor"): pass <see cref="Cursor"/> back to get the next page.</summary>
public sealed record CursorMeta(int Limit, bool HasMore, string? Cursor);

public sealed record CursorEnvelope<T>(IReadOnlyList<T> Data, CursorMeta Meta);

/// <summary>
/// The API's response shapes (SPEC §4): <c>{"data"}</c>, lists with <c>meta</c>, 201 with Location and ETag, 202 for jobs.
/// Each returns a typed result, so a handler's signature tells OpenAPI its success response.
/// </summary>
public static class ApiResults
{
    public static Ok<DataEnvelope<T>> Ok<T>(T data) => TypedResults.Ok(new DataEnvelope<T>(data));

    /// <summary>200 with the data and its version as the ETag.</summary>
    public static Ok<DataEnvelope<T>> Ok<T>(HttpContext context, T data, long version)
    {
        context.Response.Headers.ETag = ETags.Format(version);
        return TypedResults.Ok(new DataEnvelope<T>(data));
    }

    public static Ok<PageEnvelope<TDto>> Page<TItem, TDto>(Page<TItem> page, Func<TItem, TDto> map) =>
        TypedResults.Ok(new PageEnvelope<TDto>(page.Items.Select(map).ToList(), new PageMeta(page.PageNumber, page.PageSize, page.Total)));

    public static Ok<CursorEnvelope<T>> Cursor<T>(IReadOnlyList<T> items, int limit, bool hasMore, string? cursor) =>
        TypedResults.Ok(new CursorEnvelope<T>(items, new CursorMeta(limit, hasMore, cursor)));

    public static Created<DataEnvelope<T>> Created<T>(HttpContext context, string location, T data, long? version = null)
    {
        if (version is { } v)
            context.Response.Headers.ETag = ETags.Format(v);
        return TypedResults.Created(location, new DataEnvelope<T>(data));
    }

    public static Accepted<DataEnvelope<T>> Accepted<T>(string location, T data) => TypedResults.Accepted(location, new DataEnvelope<T>(data));
}
