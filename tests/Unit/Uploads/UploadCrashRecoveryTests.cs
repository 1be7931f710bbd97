using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Catalyst.Tests.Unit.Infrastructure;

namespace Catalyst.Tests.Unit.Uploads;

/// <summary>kill -9 of the Portal in the middle of a PATCH: after a restart HEAD gives an offset from which the upload completes correctly.</summary>
public class UploadCrashRecoveryTests
{
    private const string Email = "crash@test.local";
    private const string Password = "Crash-Pass-123!";

    private static readonly Dictionary<string, string> Admin = new()
    {
        ["Catalyst__Admin__Email"] = Email,
        ["Catalyst__Admin__Password"] = Password,
    };

    private static async Task<string> TokenAsync(HttpClient http)
    {
        var response = await http.PostAsJsonAsync("/api/auth/token", new { email = Email, password = Password, name = "crash" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("data").GetProperty("token").GetString()!;
    }

    [Fact]
    public async Task A_killed_portal_resumes_the_upload_from_its_durable_offset()
    {
        var data = RandomNumberGenerator.GetBytes(30 << 20);
        var dataDirectory = Path.Combine(Path.GetTempPath(), "catalyst-crash-tests", Guid.NewGuid().ToString("N"));
        string location, token;
        try
        {
            await using (var first = PortalProcess.Start(Admin, dataDirectory))
            {
                await first.WaitUntilReadyAsync();
                using var http = first.CreateClient();
                token = await TokenAsync(http);
                http.DefaultRequestHeaders.Authorization = new("Bearer", token);
                var tus = new TusClient(http);
                location = await tus.CreateOrFailAsync(data.Length);
                Assert.Equal(HttpStatusCode.NoContent, (await tus.PatchAsync(location, 0, data.AsSpan(0, 10 << 20).ToArray())).StatusCode);

                // Half of the next PATCH is on the wire when the process dies.
                var gate = new TaskCompletionSource();
                var content = new GatedContent(data.AsSpan(10 << 20).ToArray(), 8 << 20, gate.Task);
                var inFlight = tus.PatchAsync(location, 10 << 20, content);
                await content.FirstPartSent.Task;
                // Lets time pass so the process dies while reading the body; another process shows nothing of a PATCH in flight.
                await Task.Delay(500);
                await first.StopAsync(); // SIGKILL: no shutdown code runs
                gate.SetResult();
                await Assert.ThrowsAnyAsync<Exception>(async () => await inFlight);
            }

            await using var second = PortalProcess.Start(Admin, dataDirectory);
            await second.WaitUntilReadyAsync();
            using var resumed = second.CreateClient();
            resumed.DefaultRequestHeaders.Authorization = new("Bearer", token);
            var client = new TusClient(resumed);
            var head = await client.HeadAsync(location);
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            var offset = TusClient.Offset(head);
            Assert.InRange(offset, 10 << 20, data.Length - 1);

            // The dead process's lease on the upload runs out within seconds; like tus-js-client,
            // the client retries a 423 after Retry-After.
            var response = await client.PatchRetryingLockedAsync(location, offset, data.AsSpan((int)offset).ToArray());
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            Assert.Equal(data.Length, TusClient.Offset(response));
            var id = location[(location.LastIndexOf('/') + 1)..];
            var asset = (await (await resumed.GetAsync($"/api/assets/{id}")).ReadJsonAsync()).GetProperty("data");
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), asset.GetProperty("sha256").GetString());
            Assert.Equal(data, await resumed.GetByteArrayAsync($"/api/assets/{id}/content"));
            }
        finally
        {
            try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { }
        }
    }
}
