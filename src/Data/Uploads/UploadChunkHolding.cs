using Catalyst.Data.Storage;

namespace Catalyst.Data.Uploads;

/// <summary>The chunks of unfinished uploads are in use until the upload completes or expires.</summary>
public sealed class UploadChunkHolding(CatalystDbContext db) : IChunkHolder
{
    public IQueryable<string> HeldChunks => db.Set<UploadChunk>().Select(u => u.ChunkSha256);
}
