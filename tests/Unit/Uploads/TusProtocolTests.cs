using System.Net;
using Catalyst.Data;
using Catalyst.Data.Assets;
using Catalyst.Data.Uploads;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Uploads;

/// <summary>One test per tus 1.0.0 rule, against the real Portal in process.</summary>
public class TusProtocolTests(PortalFactory portal)
{
    private async Task<(TestUser User, TusClient Tus)> ClientAsync()
    {
        var user = await portal.CreateUserAsync("tus");
        return (user, new TusClient(portal.CreateApiClient(user.Token)));
    }

    private static byte[] Bytes(int length, int seed) => Storage.StorageHost.RandomBytes(length, seed);

    [Fact]
    public async Task Options_advertises_version_extensions_max_size_and_checksum_algorithms()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/api/uploads");
        var response = await portal.CreateApiClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("1.0.0", response.Headers.GetValues("Tus-Version").Single());
        Assert.Equal("1.0.0", response.Headers.GetValues("Tus-Resumable").Single());
        var extensions = response.Headers.GetValues("Tus-Extension").Single().Split(',');
        Assert.Equal(["creation", "creation-with-upload", "expiration", "checksum", "termination"], extensions);
        Assert.True(long.Parse(response.Headers.GetValues("Tus-Max-Size").Single(), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal("sha1,sha256", response.Headers.GetValues("Tus-Checksum-Algorithm").Single());
    }

    [Fact]
    public async Task Creation_answers_201_with_location_and_head_reports_offset_and_length()
    {
        var (_, tus) = await ClientAsync();
        var response = await tus.CreateAsync(1000, TusClient.Metadata(("filename", "report.pdf"), ("filetype", "application/pdf")));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        Assert.Matches("^/api/uploads/[0-9a-f-]{36}$", location);
        Assert.True(response.Headers.Contains("Upload-Expires"));
        var head = await tus.HeadAsync(location);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(0, TusClient.Offset(head));
        Assert.Equal("1000", head.Headers.GetValues("Upload-Length").Single());
        Assert.Equal("no-store", head.Headers.CacheControl?.ToString());
        Assert.Contains("filename", head.Headers.GetValues("Upload-Metadata").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_completed_upload_becomes_an_asset_with_the_uploads_id()
    {
        var (user, tus) = await ClientAsync();
        var data = Bytes(3 << 20, 1);
        var location = await tus.UploadAsync(data, 1 << 20, TusClient.Metadata(("filename", "../../etc/passwd"), ("filetype", "image/png")));
        var id = location[(location.LastIndexOf('/') + 1)..];

        var api = portal.CreateApiClient(user.Token);
        var asset = (await (await api.GetAsync($"/api/assets/{id}")).ReadJsonAsync()).GetProperty("data");
        Assert.Equal("passwd", asset.GetProperty("fileName").GetString());
        Assert.Equal("image/png", asset.GetProperty("mediaType").GetString());
        Assert.Equal(data.Length, asset.GetProperty("length").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data)), asset.GetProperty("sha256").GetString());
        Assert.Equal(data, await api.GetByteArrayAsync($"/api/assets/{id}/content"));
        Assert.Equal(data.Length, TusClient.Offset(await tus.HeadAsync(location)));
    }

    [Fact]
    public async Task Creation_with_upload_accepts_the_first_bytes_in_the_post()
    {
        var (_, tus) = await ClientAsync();
        var data = Bytes(300_000, 2);
        var response = await tus.CreateAsync(data.Length * 2, body: data);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(data.Length, TusClient.Offset(response));
        var location = response.Headers.Location!.OriginalString;
        Assert.Equal(data.Length, TusClient.Offset(await tus.HeadAsync(location)));
        Assert.Equal(HttpStatusCode.NoContent, (await tus.PatchAsync(location, data.Length, data)).StatusCode);
    }

    [Fact]
    public async Task A_wrong_offset_answers_409_and_changes_nothing()
    {
        var (_, tus) = await ClientAsync();
        var location = await tus.CreateOrFailAsync(1000);
        Assert.Equal(HttpStatusCode.NoContent, (await tus.PatchAsync(location, 0, Bytes(400, 3))).StatusCode);

        var response = await tus.PatchAsync(location, 0, Bytes(400, 4));

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "offset_mismatch");
        Assert.Equal(400, TusClient.Offset(await tus.HeadAsync(location)));
    }

    [Fact]
    public async Task A_patch_without_the_offset_content_type_answers_415()
    {
        var (_, tus) = await ClientAsync();
        var location = await tus.CreateOrFailAsync(100);
        var content = new ByteArrayContent(new byte[100]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");

        var response = await tus.PatchAsync(location, 0, content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(0, TusClient.Offset(await tus.HeadAsync(location)));
    }

    [Fact]
    public async Task A_request_without_a_supported_tus_version_answers_412_with_tus_version()
    {
        var (user, _) = await ClientAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/uploads");
        request.Headers.Add("Upload-Length", "10");
        request.Headers.Add("Tus-Resumable", "0.2.2");

        var response = await portal.CreateApiClient(user.Token).SendAsync(request);

        await response.AssertProblemAsync(HttpStatusCode.PreconditionFailed, "tus_version_unsupported");
        Assert.Equal("1.0.0", response.Headers.GetValues("Tus-Version").Single());
    }

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task A_checksum_mismatch_answers_460_and_discards_the_patch(string algorithm)
    {
        var (_, tus) = await ClientAsync();
        var data = Bytes(200_000, 5);
        var location = await tus.CreateOrFailAsync(data.Length);
        var wrong = algorithm == "sha1" ? TusClient.Sha1Checksum(Bytes(10, 6)) : TusClient.Sha256Checksum(Bytes(10, 6));

        var response = await tus.PatchAsync(location, 0, data, wrong);

        Assert.Equal(460, (int)response.StatusCode);
        Assert.Equal(0, TusClient.Offset(await tus.HeadAsync(location)));
        var right = algorithm == "sha1" ? TusClient.Sha1Checksum(data) : TusClient.Sha256Checksum(data);
        Assert.Equal(HttpStatusCode.NoContent, (await tus.PatchAsync(location, 0, data, right)).StatusCode);
    }

    [Fact]
    public async Task An_unsupported_checksum_algorithm_answers_400()
    {
        var (_, tus) = await ClientAsync();
        var location = await tus.CreateOrFailAsync(10);
        var response = await tus.PatchAsync(location, 0, new byte[10], "md5 " + Convert.ToBase64String(new byte[16]));
        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Termination_frees_an_unfinished_upload_and_head_then_answers_404()
    {
        var (_, tus) = await ClientAsync();
        var location = await tus.CreateOrFailAsync(1_000_000);
        await tus.PatchAsync(location, 0, Bytes(300_000, 7));

        Assert.Equal(HttpStatusCode.NoContent, (await tus.DeleteAsync(location)).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await tus.HeadAsync(location)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await tus.PatchAsync(location, 300_000, Bytes(10, 8))).StatusCode);
        var id = Guid.Parse(location[(location.LastIndexOf('/') + 1)..]);
        Assert.False(await portal.WithDbAsync(db => db.Set<Upload>().AnyAsync(u => u.Id == id)));
        Assert.False(await portal.WithDbAsync(db => db.Set<UploadChunk>().AnyAsync(c => c.UploadId == id)));
    }

    [Fact]
    public async Task Terminating_a_completed_upload_keeps_its_asset()
    {
        var (user, tus) = await ClientAsync();
        var location = await tus.UploadAsync(Bytes(50_000, 9));
        var id = location[(location.LastIndexOf('/') + 1)..];

        Assert.Equal(HttpStatusCode.NoContent, (await tus.DeleteAsync(location)).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await tus.HeadAsync(location)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await portal.CreateApiClient(user.Token).GetAsync($"/api/assets/{id}")).StatusCode);
    }

    [Fact]
    public async Task An_expired_upload_answers_410_and_the_cleanup_removes_it()
    {
        var (_, tus) = await ClientAsync();
        var location = await tus.CreateOrFailAsync(1000);
        await tus.PatchAsync(location, 0, Bytes(500, 10));
        var id = Guid.Parse(location[(location.LastIndexOf('/') + 1)..]);
        await portal.WithDbAsync(db => db.Set<Upload>().Where(u => u.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.ExpiresAt, DateTime.UtcNow.AddMinutes(-1))));

        Assert.Equal(HttpStatusCode.Gone, (await tus.HeadAsync(location)).StatusCode);
        await (await tus.PatchAsync(location, 500, Bytes(500, 11))).AssertProblemAsync(HttpStatusCode.Gone, "upload_expired");

        await portal.WithScopeAsync(sp => sp.GetRequiredService<UploadService>().CleanupExpiredAsync(CancellationToken.None));
        Assert.Equal(HttpStatusCode.NotFound, (await tus.HeadAsync(location)).StatusCode);
    }

    [Fact]
    public async Task Uploads_over_the_maximum_size_answer_413()
    {
        var (_, tus) = await ClientAsync();
        var response = await tus.CreateAsync(6L << 30);
        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "upload_too_large");
    }

    [Fact]
    public async Task Bytes_beyond_the_upload_length_answer_413_and_are_not_kept()
    {
        var (_, tus) = await ClientAsync();
        var location = await tus.CreateOrFailAsync(100);
        var response = await tus.PatchAsync(location, 0, Bytes(200, 12));
        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "exceeds_upload_length");
        Assert.Equal(0, TusClient.Offset(await tus.HeadAsync(location)));
    }

    [Fact]
    public async Task Malformed_metadata_and_lengths_answer_400()
    {
        var (_, tus) = await ClientAsync();
        await (await tus.CreateAsync(10, "filename not-base64!!")).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await tus.CreateAsync(10, "a YQ==,a YQ==")).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await tus.CreateAsync(10, TusClient.Metadata(("target", "elsewhere")))).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await tus.CreateAsync(10, TusClient.Metadata(("projectId", "not-a-guid")))).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var negative = await tus.CreateAsync(10, tweak: r => { r.Headers.Remove("Upload-Length"); r.Headers.Add("Upload-Length", "-5"); });
        await negative.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Another_users_upload_is_404_for_every_method()
    {
        var (_, owner) = await ClientAsync();
        var (_, other) = await ClientAsync();
        var location = await owner.CreateOrFailAsync(100);

        Assert.Equal(HttpStatusCode.NotFound, (await other.HeadAsync(location)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PatchAsync(location, 0, new byte[100])).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync(location)).StatusCode);
        Assert.Equal(0, TusClient.Offset(await owner.HeadAsync(location)));
    }

    [Fact]
    public async Task Uploads_need_a_bearer_token()
    {
        var tus = new TusClient(portal.CreateApiClient());
        Assert.Equal(HttpStatusCode.Unauthorized, (await tus.CreateAsync(10)).StatusCode);
    }

    [Fact]
    public async Task An_upload_interrupted_midway_keeps_what_arrived_and_a_new_client_resumes_it()
    {
        // A dropped connection needs real sockets.
        await using var kestrel = PortalFactory.StartKestrel();
        var user = await kestrel.CreateUserAsync("tus");
        var tus = new TusClient(kestrel.CreateApiClient(user.Token));
        var data = Bytes(12 << 20, 13);
        var location = await tus.CreateOrFailAsync(data.Length);
        var gate = new TaskCompletionSource();
        var content = new GatedContent(data, 5 << 20, gate.Task, failAfterFirstPart: true);
        var patch = tus.PatchAsync(location, 0, content);
        await content.FirstPartSent.Task;
        // Lets time pass: the server shows nothing of a PATCH's bytes before its end (no checkpoint below 32 MiB), so there is no signal to poll.
        await Task.Delay(300);
        gate.SetResult();
        await Assert.ThrowsAnyAsync<Exception>(async () => await patch);

        // A fresh client asks where to resume and sends the rest.
        var resumed = new TusClient(kestrel.CreateApiClient(user.Token));
        var offset = await Poll.UntilAsync(async () => TusClient.Offset(await resumed.HeadAsync(location)), o => o > 0, what: "the interrupted bytes to be kept");
        Assert.InRange(offset, 1, 5 << 20);
        var rest = data.AsSpan((int)offset).ToArray();
        Assert.Equal(HttpStatusCode.NoContent, (await resumed.PatchRetryingLockedAsync(location, offset, rest)).StatusCode);

        var id = location[(location.LastIndexOf('/') + 1)..];
        var asset = await kestrel.WithDbAsync(db => db.Set<Asset>().SingleAsync(a => a.Id == Guid.Parse(id)));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data)), asset.Sha256);
    }

    [Fact]
    public async Task Two_concurrent_patches_at_the_same_offset_one_wins_and_nothing_is_corrupted()
    {
        var (user, tus) = await ClientAsync();
        var data = Bytes(2 << 20, 14);
        var location = await tus.CreateOrFailAsync(data.Length);
        var gate = new TaskCompletionSource();
        var slow = new GatedContent(data, 1 << 20, gate.Task);
        var first = tus.PatchAsync(location, 0, slow);
        await slow.FirstPartSent.Task;
        var id = location[(location.LastIndexOf('/') + 1)..];
        await Poll.UntilAsync(() => portal.WithDbAsync(db => db.Set<Upload>().Where(u => u.Id == Guid.Parse(id)).Select(u => u.LeaseId).SingleAsync()),
            lease => lease is not null, what: "the first PATCH to hold the upload's lease");

        var second = await tus.PatchAsync(location, 0, data);
        gate.SetResult();
        var winner = await first;

        Assert.Equal(HttpStatusCode.NoContent, winner.StatusCode);
        Assert.Contains((int)second.StatusCode, new[] { 409, 423 });
        Assert.Equal(data, await portal.CreateApiClient(user.Token).GetByteArrayAsync($"/api/assets/{id}/content"));
    }

    [Fact]
    public async Task A_lease_held_by_another_instance_answers_423_with_retry_after_until_it_runs_out()
    {
        var (user, tus) = await ClientAsync();
        var data = Bytes(600_000, 15);
        var location = await tus.CreateOrFailAsync(data.Length);
        Assert.Equal(HttpStatusCode.NoContent, (await tus.PatchAsync(location, 0, data[..200_000])).StatusCode);
        var id = Guid.Parse(location[(location.LastIndexOf('/') + 1)..]);
        // Another Portal instance sharing the database is writing to the upload right now.
        await portal.WithDbAsync(db => db.Set<Upload>().Where(u => u.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.LeaseId, Guid.NewGuid()).SetProperty(u => u.LeaseExpiresAt, DateTime.UtcNow.AddMinutes(1))));

        var locked = await tus.PatchAsync(location, 200_000, data[200_000..]);
        Assert.Equal(HttpStatusCode.Locked, locked.StatusCode);
        Assert.NotNull(locked.Headers.RetryAfter?.Delta);
        var head = await tus.HeadAsync(location); // a HEAD never waits for the lock
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(200_000, TusClient.Offset(head));
        Assert.Equal(HttpStatusCode.Locked, (await tus.DeleteAsync(location)).StatusCode);

        // That instance died: its lease runs out and the next PATCH takes the upload over.
        await portal.WithDbAsync(db => db.Set<Upload>().Where(u => u.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.LeaseExpiresAt, DateTime.UtcNow.AddSeconds(-1))));
        var resumed = await tus.PatchAsync(location, 200_000, data[200_000..]);
        Assert.Equal(HttpStatusCode.NoContent, resumed.StatusCode);
        Assert.Equal(data, await portal.CreateApiClient(user.Token).GetByteArrayAsync($"/api/assets/{id}/content"));
        var upload = await portal.WithDbAsync(db => db.Set<Upload>().AsNoTracking().SingleAsync(u => u.Id == id));
        Assert.Null(upload.LeaseId);
        Assert.Null(upload.Tail);
    }

    [Fact]
    public async Task The_same_file_uploaded_by_two_users_is_stored_once()
    {
        var (userA, tusA) = await ClientAsync();
        var (userB, tusB) = await ClientAsync();
        var data = Bytes(4 << 20, 15);
        var a = await tusA.UploadAsync(data, 1 << 20);
        var b = await tusB.UploadAsync(data, 3 << 20);

        // One blob, each of its chunks stored once, held by two assets (other tests write to the same store, so count this blob only).
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data));
        Assert.Equal(2, await portal.WithDbAsync(db => db.Set<Asset>().CountAsync(x => x.Sha256 == sha)));
        Assert.Equal(1, await portal.WithDbAsync(db => db.Set<Catalyst.Data.Storage.StoredBlob>().CountAsync(x => x.Sha256 == sha)));
        var chunks = await portal.WithDbAsync(db => db.Set<Catalyst.Data.Storage.BlobChunk>().Where(c => c.BlobSha256 == sha).Select(c => c.ChunkSha256).ToListAsync());
        var stored = await portal.WithDbAsync(db => db.Set<Catalyst.Data.Storage.StoredChunk>().Where(c => chunks.Contains(c.Sha256)).SumAsync(c => (long)c.StoredLength));
        Assert.Equal(data.Length, stored); // random bytes: stored uncompressed, once
        Assert.Equal(2, await portal.WithDbAsync(db => db.Set<Catalyst.Data.Storage.StoredBlob>().Where(x => x.Sha256 == sha).Select(x => x.ReferenceCount).SingleAsync()));
        Assert.Equal(data, await portal.CreateApiClient(userB.Token).GetByteArrayAsync($"/api/assets/{b[(b.LastIndexOf('/') + 1)..]}/content"));
        Assert.Equal(HttpStatusCode.NotFound, (await portal.CreateApiClient(userB.Token).GetAsync($"/api/assets/{a[(a.LastIndexOf('/') + 1)..]}")).StatusCode);
        _ = userA;
    }

    [Fact]
    public async Task A_zero_length_upload_completes_at_creation()
    {
        var (user, tus) = await ClientAsync();
        var location = await tus.CreateOrFailAsync(0);
        var id = location[(location.LastIndexOf('/') + 1)..];
        var api = portal.CreateApiClient(user.Token);
        Assert.Equal(0, (await (await api.GetAsync($"/api/assets/{id}")).ReadJsonAsync()).GetProperty("data").GetProperty("length").GetInt64());
        Assert.Empty(await api.GetByteArrayAsync($"/api/assets/{id}/content"));
    }
}
