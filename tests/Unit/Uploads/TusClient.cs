using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Catalyst.Tests.Unit.Uploads;

/// <summary>A minimal tus 1.0.0 client for tests: every request spelled out, nothing retried.</summary>
public sealed class TusClient(HttpClient http, string endpoint = "/api/uploads")
{
    public static string Metadata(params (string Key, string? Value)[] pairs) =>
        string.Join(',', pairs.Select(p => p.Value is null ? p.Key : $"{p.Key} {Convert.ToBase64String(Encoding.UTF8.GetBytes(p.Value))}"));

    public async Task<HttpResponseMessage> CreateAsync(long length, string? metadata = "filename dGVzdC5iaW4=", byte[]? body = null, Action<HttpRequestMessage>? tweak = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.Add("Upload-Length", length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (metadata is not null)
            request.Headers.Add("Upload-Metadata", metadata);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
        }
        tweak?.Invoke(request);
        return await http.SendAsync(request);
    }

    public async Task<string> CreateOrFailAsync(long length, string? metadata = "filename dGVzdC5iaW4=")
    {
        var response = await CreateAsync(length, metadata);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"create answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response.Headers.Location!.OriginalString;
    }

    public async Task<HttpResponseMessage> PatchAsync(string location, long offset, HttpContent content, string? checksum = null, Action<HttpRequestMessage>? tweak = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = content };
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.Add("Upload-Offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
        content.Headers.ContentType ??= new MediaTypeHeaderValue("application/offset+octet-stream");
        if (checksum is not null)
            request.Headers.Add("Upload-Checksum", checksum);
        tweak?.Invoke(request);
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    public Task<HttpResponseMessage> PatchAsync(string location, long offset, byte[] data, string? checksum = null) =>
        PatchAsync(location, offset, new ByteArrayContent(data), checksum);

    /// <summary>
    /// A PATCH retried, as tus-js-client does, while the server answers 423: the writer that had the
    /// upload (a dropped request still being wound up, another instance) holds its lease a few seconds.
    /// </summary>
    public async Task<HttpResponseMessage> PatchRetryingLockedAsync(string location, long offset, byte[] data)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var response = await PatchAsync(location, offset, data);
            if (response.StatusCode != HttpStatusCode.Locked || DateTime.UtcNow > deadline)
                return response;
            Assert.NotNull(response.Headers.RetryAfter?.Delta);
            await Task.Delay(response.Headers.RetryAfter!.Delta!.Value); // the protocol's wait: a client honours Retry-After
        }
    }

    public async Task<HttpResponseMessage> HeadAsync(string location)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, location);
        request.Headers.Add("Tus-Resumable", "1.0.0");
        return await http.SendAsync(request);
    }

    public async Task<HttpResponseMessage> DeleteAsync(string location)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, location);
        request.Headers.Add("Tus-Resumable", "1.0.0");
        return await http.SendAsync(request);
    }

    public static long Offset(HttpResponseMessage response) =>
        long.Parse(response.Headers.GetValues("Upload-Offset").Single(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Uploads <paramref name="data"/> in <paramref name="chunkSize"/> PATCHes; returns the upload's location.</summary>
    public async Task<string> UploadAsync(byte[] data, int chunkSize = 1 << 20, string? metadata = "filename dGVzdC5iaW4=")
    {
        var location = await CreateOrFailAsync(data.Length, metadata);
        for (var offset = 0; offset < data.Length; offset += chunkSize)
        {
            var part = data.AsSpan(offset, Math.Min(chunkSize, data.Length - offset)).ToArray();
            var response = await PatchAsync(location, offset, part);
            Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"PATCH at {offset} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            Assert.Equal(offset + part.Length, Offset(response));
        }
        return location;
    }

#pragma warning disable CA5350 // tus's checksum extension names sha1
    public static string Sha1Checksum(byte[] data) => "sha1 " + Convert.ToBase64String(SHA1.HashData(data));
#pragma warning restore CA5350
    public static string Sha256Checksum(byte[] data) => "sha256 " + Convert.ToBase64String(SHA256.HashData(data));
}

/// <summary>A request body that sends its first part, then waits for a signal (or fails) before the rest.</summary>
public sealed class GatedContent(byte[] data, int firstPart, Task gate, bool failAfterFirstPart = false) : HttpContent
{
    public TaskCompletionSource FirstPartSent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(data.AsMemory(0, firstPart));
        await stream.FlushAsync();
        FirstPartSent.TrySetResult();
        await gate;
        if (failAfterFirstPart)
            throw new IOException("client went away");
        await stream.WriteAsync(data.AsMemory(firstPart));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = data.Length;
        return true;
    }
}
