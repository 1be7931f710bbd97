namespace Catalyst.Data.Search;

/// <summary>What a search hit is. Stored as a small integer in every posting; websites and content items join later.</summary>
public enum SearchDocumentType
{
    Chat = 1,
    Project = 2,
    Website = 3,
    Content = 4,
}

/// <summary>One indexed thing (a chat message, a project): its owner and date, once, so postings can point at a short key.</summary>
public class SearchDocument
{
    public long Id { get; set; }
    public SearchDocumentType Type { get; set; }
    public Guid EntityId { get; set; }
    public Guid OwnerId { get; set; }
    /// <summary>The document's date for ranges and recency: a message's createdAt, a project's updatedAt.</summary>
    public DateTime At { get; set; }
    public List<SearchPosting> Postings { get; set; } = [];
}

/// <summary>
/// One term of one document with its precomputed impact (a BM25 term weight without the idf, which is
/// applied at query time). Owner, type and date are copied from the document so that the top of a
/// term for one owner is a short range of one index, read without touching the documents.
/// </summary>
public class SearchPosting
{
    public long DocumentId { get; set; }
    public SearchDocument? Document { get; set; }
    public long TermId { get; set; }
    public Guid OwnerId { get; set; }
    public SearchDocumentType Type { get; set; }
    public int Impact { get; set; }
    public DateTime At { get; set; }
}

/// <summary>How many documents hold a term (its idf). <see cref="SearchText.DocumentsTermId"/> counts all documents.</summary>
public class SearchTerm
{
    public long TermId { get; set; }
    public long DocumentCount { get; set; }
}
