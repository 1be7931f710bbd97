using System.Net;
using System.Security.Cryptography;
using Catalyst.Tests.Unit.Infrastructure;

namespace Catalyst.Tests.Unit.Secrets;

/// <summary>The master key at start-up, on the built Portal run as its own process.</summary>
public class MasterKeyStartupTests
{
    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Theory]
    [InlineData("not base64 at all")]
    [InlineData("c2hvcnQ=")]
    public async Task A_malformed_master_key_stops_the_process_naming_the_key(string value)
    {
        await using var portal = PortalProcess.Start(new Dictionary<string, string> { ["Catalyst__Secrets__MasterKey"] = value });

        Assert.NotEqual(0, await portal.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Catalyst:Secrets:MasterKey", portal.StandardError, StringComparison.Ordinal);
        Assert.Contains("base64", portal.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain(value, portal.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_master_key_stops_the_process_with_a_clear_message_and_the_right_one_starts_it_again()
    {
        var right = NewKey();
        var data = Path.Combine(Path.GetTempPath(), "catalyst-process-tests", Guid.NewGuid().ToString("N"));
        try
        {
            await using (var first = PortalProcess.Start(new Dictionary<string, string> { ["Catalyst__Secrets__MasterKey"] = right }, data))
            {
                await first.WaitUntilReadyAsync();
            }

            var wrong = NewKey();
            await using (var refused = PortalProcess.Start(new Dictionary<string, string> { ["Catalyst__Secrets__MasterKey"] = wrong }, data))
            {
                Assert.Equal(1, await refused.WaitForExitAsync(TimeSpan.FromSeconds(60)));
                var stderr = refused.StandardError;
                Assert.Contains("Configuration error", stderr, StringComparison.Ordinal);
                Assert.Contains("Catalyst:Secrets:MasterKey cannot decrypt the secrets in this database", stderr, StringComparison.Ordinal);
                Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
                Assert.DoesNotContain(wrong, stderr + refused.StandardOutput, StringComparison.Ordinal);
                Assert.DoesNotContain(right, stderr + refused.StandardOutput, StringComparison.Ordinal);
            }

            await using var again = PortalProcess.Start(new Dictionary<string, string> { ["Catalyst__Secrets__MasterKey"] = right }, data);
            await again.WaitUntilReadyAsync();
            using var http = again.CreateClient();
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready", TestContext.Current.CancellationToken)).StatusCode);
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    [Fact]
    public async Task Without_a_master_key_a_development_key_is_generated_into_the_data_directory_with_a_warning()
    {
        await using var portal = PortalProcess.Start();
        await portal.WaitUntilReadyAsync();

        var file = Path.Combine(portal.DataDirectory, "secrets", "master.key");
        Assert.True(File.Exists(file));
        Assert.Equal(32, Convert.FromBase64String(await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken)).Length);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        await Poll.UntilAsync(() => Task.FromResult(portal.StandardOutput), o => o.Contains("development master key", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the warning about the development key");
        Assert.Contains("Catalyst:Secrets:MasterKey", portal.StandardOutput, StringComparison.Ordinal);
    }
}
