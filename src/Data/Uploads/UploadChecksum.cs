using System.Security.Cryptography;

namespace Catalyst.Data.Uploads;

/// <summary>The checksum a client announces for the bytes of one append: the algorithm and the expected digest.</summary>
public sealed record UploadChecksum(HashAlgorithmName Algorithm, byte[] Digest)
{
    public IncrementalHash CreateHash() => IncrementalHash.CreateHash(Algorithm);
}
