namespace Catalyst.Data.Storage;

/// <summary>
/// A part that holds chunks directly rather than through a stored blob (unfinished uploads do):
/// garbage collection keeps every chunk some holder's query names. Owned here so that storage
/// never has to know the parts that hold its chunks.
/// </summary>
public interface IChunkHolder
{
    /// <summary>The hashes of the chunks held, as a query the collector composes into its own.</summary>
    IQueryable<string> HeldChunks { get; }
}
