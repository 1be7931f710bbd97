using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Tests.Unit.Uploads;

namespace Catalyst.Tests.Unit.ScaleOut;

/// <summary>
/// Two Portal processes over one database file and one Azurite container, each with a data
/// directory of its own (nothing on either instance's disk is shared): an upload begun on one is
/// finished on the other, and what one stored the other reads by ranges.
/// </summary>
public class TwoPortalsTests(AzuriteFixture azurite)
{
    private const string Email = "scale@test.local";
    private const string Password = "Scale-Pass-123!";

    [Fact]
    public async Task An_upload_begun_on_one_instance_is_finished_on_the_other_and_read_by_ranges_from_both()
    {
        var shared = Directory.CreateTempSubdirectory("catalyst-two-portals-").FullName;
        var environment = new Dictionary<string, string>
        {
            ["Catalyst__Admin__Email"] = Email,
            ["Catalyst__Admin__Password"] = Password,
            ["ConnectionStrings__Catalyst"] = $"Data Source={Path.Combine(shared, "catalyst.db")};Pooling=True;Default Timeout=30",
            ["Storage__Provider"] = "AzureBlob",
            ["Storage__AzureBlob__ConnectionString"] = await azurite.ConnectionStringAsync(),
            ["Storage__AzureBlob__ContainerName"] = AzuriteFixture.NewContainerName("two"),
            // Every instance needs the same master key (without one, each generates its own and the
            // second refuses to start over secrets it cannot decrypt).
            ["Catalyst__Secrets__MasterKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        };
        try
        {
            // The first instance applies the schema; the second finds it current. The second only
            // enqueues jobs, as a production web instance does.
            await using var first = PortalProcess.Start(environment);
            await first.WaitUntilReadyAsync();
            await using var second = PortalProcess.Start(new Dictionary<string, string>(environment) { ["Catalyst__Jobs__Server"] = "false" });
            await second.WaitUntilReadyAsync();
            Assert.NotEqual(first.DataDirectory, second.DataDirectory);

            using var a = first.CreateClient();
            using var b = second.CreateClient();
            var token = await TokenAsync(a);
            a.DefaultRequestHeaders.Authorization = b.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var onA = new TusClient(a);
            var onB = new TusClient(b);

            // 3 MiB + 123 bytes through A (the odd tail is staged, not yet a whole chunk), the rest through B.
            var data = RandomNumberGenerator.GetBytes((12 << 20) + 4321);
            var location = await onA.CreateOrFailAsync(data.Length);
            const int firstPart = (3 << 20) + 123;
            Assert.Equal(HttpStatusCode.NoContent, (await onA.PatchAsync(location, 0, data[..firstPart])).StatusCode);

            var head = await onB.HeadAsync(location);
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(firstPart, TusClient.Offset(head));
            var response = await onB.PatchRetryingLockedAsync(location, firstPart, data[firstPart..]);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            Assert.Equal(data.Length, TusClient.Offset(response));

            var id = location[(location.LastIndexOf('/') + 1)..];
            var hash = Convert.ToHexStringLower(SHA256.HashData(data));
            foreach (var http in new[] { a, b })
            {
                var asset = (await (await http.GetAsync($"/api/assets/{id}")).ReadJsonAsync()).GetProperty("data");
                Assert.Equal(hash, asset.GetProperty("sha256").GetString());
                await AssertRangeAsync(http, id, data, 0, 99);
                await AssertRangeAsync(http, id, data, (5 << 20) - 17, (7 << 20) + 5);
                await AssertRangeAsync(http, id, data, data.Length - 1000, data.Length - 1);
            }

            // An asset written wholly by B is read whole and by ranges from A.
            var other = RandomNumberGenerator.GetBytes(2 << 20);
            var created = await onB.CreateAsync(other.Length, body: other);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var otherId = created.Headers.Location!.OriginalString[(created.Headers.Location!.OriginalString.LastIndexOf('/') + 1)..];
            Assert.Equal(other, await a.GetByteArrayAsync($"/api/assets/{otherId}/content"));
            await AssertRangeAsync(a, otherId, other, 70_000, 200_000);

            // Neither instance wrote chunks or upload staging to its own disk.
            foreach (var directory in new[] { first.DataDirectory, second.DataDirectory })
                Assert.DoesNotContain(Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories),
                    f => !f.Contains($"{Path.DirectorySeparatorChar}logs{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && new FileInfo(f).Length > 64 << 10);
        }
        finally
        {
            try { Directory.Delete(shared, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<string> TokenAsync(HttpClient http)
    {
        var response = await http.PostAsJsonAsync("/api/auth/token", new { email = Email, password = Password, name = "scale" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("data").GetProperty("token").GetString()!;
    }

    private static async Task AssertRangeAsync(HttpClient http, string id, byte[] data, long from, long to)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/assets/{id}/content");
        request.Headers.Range = new RangeHeaderValue(from, to);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(data[(int)from..(int)(to + 1)], await response.Content.ReadAsByteArrayAsync());
    }
}
