namespace Catalyst.Data.Search;

/// <summary>
/// One kind of indexed entity, supplied by the feature that owns it: Search never reads a feature's
/// tables itself. The feature's write paths index the same <see cref="SearchDocumentInput"/> its
/// source gives the rebuild and verify jobs, so "rebuilt" and "maintained" compare exactly.
/// </summary>
public interface ISearchSource
{
    SearchDocumentType Type { get; }

    /// <summary>The ids of every entity of this kind that exists (orphaned documents are the ones not in it).</summary>
    IQueryable<Guid> Ids();

    /// <summary>The next <paramref name="take"/> documents in entity-id order, after <paramref name="after"/> (from the start when null).</summary>
    Task<IReadOnlyList<SearchDocumentInput>> DocumentsAsync(Guid? after, int take, CancellationToken ct);

    /// <summary>What the hits with these entity ids show; ids whose entity is gone are left out.</summary>
    Task<IReadOnlyList<SearchHitContent>> HitsAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct);
}

/// <summary>
/// A hit's display: its owner (checked against the caller), a title, the text the snippet is cut
/// from, and for chat messages their session and role (camelCase, as the API writes roles).
/// </summary>
public sealed record SearchHitContent(Guid Id, Guid OwnerId, string Title, string? Text, Guid? SessionId = null, string? Role = null);
