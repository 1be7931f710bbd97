using Catalyst.Data.Common.IO;

namespace Catalyst.Portal.Infrastructure;

/// <summary>
/// A request body handed to a service that must tell "the client went away" from a fault.
/// Kestrel reports a body cut short (fewer bytes than Content-Length, broken chunking) as a
/// <see cref="BadHttpRequestException"/>, an HTTP type services do not know; here it becomes the
/// <see cref="IOException"/> every other broken transport throws. Read-only and forward-only.
/// </summary>
public sealed class RequestBodyStream(Stream body) : ReadOnlyStream
{
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await body.ReadAsync(buffer, cancellationToken);
        }
        catch (BadHttpRequestException ex)
        {
            throw new IOException("The request body ended before it was complete: " + ex.Message, ex);
        }
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        try
        {
            return body.Read(buffer, offset, count);
        }
        catch (BadHttpRequestException ex)
        {
            throw new IOException("The request body ended before it was complete: " + ex.Message, ex);
        }
    }
}
