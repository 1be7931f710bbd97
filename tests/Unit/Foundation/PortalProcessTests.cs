using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Catalyst.Tests.Unit.Foundation;

/// <summary>One real Portal process with an admin from the environment and a small API body limit, shared by the tests below.</summary>
public sealed class ConfiguredPortalProcess : IAsyncLifetime
{
    public const string AdminEmail = "ops@process.test";
    public const string AdminPassword = "Process-Admin-Pass-1!";
    public const int MaxBodyBytes = 4096;

    public PortalProcess Process { get; } = PortalProcess.Start(new Dictionary<string, string>
    {
        ["Catalyst__Admin__Email"] = AdminEmail,
        ["Catalyst__Admin__Password"] = AdminPassword,
        ["Catalyst__Api__MaxBodyBytes"] = MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    public async ValueTask InitializeAsync() => await Process.WaitUntilReadyAsync();

    public async ValueTask DisposeAsync() => await Process.DisposeAsync();
}

/// <summary>SPEC §2 start-up behaviour, on the built Portal run as its own process.</summary>
public partial class PortalProcessTests(ConfiguredPortalProcess configured) : IClassFixture<ConfiguredPortalProcess>
{
    [GeneratedRegex(@"password:\s+(\S+)")]
    private static partial Regex PrintedPassword();

    private static Task<HttpResponseMessage> RequestTokenAsync(HttpClient http, string email, string password) =>
        http.PostJsonAsync("/api/auth/token", new { email, password, name = "process test" });

    private static int Occurrences(string text, string value) => Regex.Matches(text, Regex.Escape(value)).Count;

    [Theory]
    [InlineData("Database__Provider", "Oracle", "Database:Provider")]
    [InlineData("Catalyst__Api__MaxBodyBytes", "10", "Catalyst:Api:MaxBodyBytes")]
    [InlineData("Catalyst__Jobs__Storage", "Redis", "Catalyst:Jobs:Storage")]
    [InlineData("Storage__Provider", "AzureBlob", "Storage:AzureBlob:ConnectionString is required")]
    [InlineData("Storage__Compression__CpuBudget", "7", "Storage:Compression:CpuBudget")]
    [InlineData("Catalyst__ForwardedHeaders__KnownProxies__0", "10.0.0.300", "Catalyst:ForwardedHeaders:KnownProxies:0")]
    [InlineData("Catalyst__ForwardedHeaders__KnownProxies__0", "10.1", "Catalyst:ForwardedHeaders:KnownProxies:0")]
    [InlineData("Catalyst__ForwardedHeaders__KnownNetworks__0", "10.0.0.0/33", "Catalyst:ForwardedHeaders:KnownNetworks:0")]
    [InlineData("Catalyst__ForwardedHeaders__KnownNetworks__0", "10.0.0.1/8", "Catalyst:ForwardedHeaders:KnownNetworks:0")]
    public async Task A_bad_setting_stops_the_process_with_one_message_naming_the_key(string variable, string value, string key)
    {
        await using var portal = PortalProcess.Start(new Dictionary<string, string> { [variable] = value });

        var exitCode = await portal.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        var stderr = portal.StandardError;
        Assert.Contains(key, stderr, StringComparison.Ordinal);
        Assert.Contains("Configuration error", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal); // a message, not a stack trace
    }

    [Fact]
    public async Task The_admin_from_the_environment_can_sign_in_and_its_password_is_never_printed()
    {
        using var http = configured.Process.CreateClient();

        var response = await RequestTokenAsync(http, ConfiguredPortalProcess.AdminEmail, ConfiguredPortalProcess.AdminPassword);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var token = (await response.ReadJsonAsync()).GetProperty("data").GetProperty("token").GetString()!;
        using var api = configured.Process.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var users = await (await api.GetAsync("/api/admin/users")).ReadJsonAsync();
        Assert.Contains(users.GetProperty("data").EnumerateArray(), u => u.GetProperty("email").GetString() == ConfiguredPortalProcess.AdminEmail);
        Assert.DoesNotContain(ConfiguredPortalProcess.AdminPassword, configured.Process.StandardOutput + configured.Process.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("admin@localhost", configured.Process.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kestrel_refuses_a_chunked_body_over_MaxBodyBytes_with_413()
    {
        using var http = configured.Process.CreateClient();
        var token = (await (await RequestTokenAsync(http, ConfiguredPortalProcess.AdminEmail, ConfiguredPortalProcess.AdminPassword)).ReadJsonAsync())
            .GetProperty("data").GetProperty("token").GetString()!;
        using var api = configured.Process.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        // Valid JSON, so only the size can be the reason; small enough to be sent whole before the answer.
        var body = Encoding.UTF8.GetBytes("{\"name\":\"chunked\",\"description\":\"" + new string('x', 3 * ConfiguredPortalProcess.MaxBodyBytes) + "\"}");

        using var chunked = new StreamContent(new NonSeekableStream(body));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/projects") { Content = chunked };
        var response = await api.SendAsync(request);
        using var sized = new ByteArrayContent(body);
        sized.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var declared = await api.PostAsync("/api/projects", sized);

        Assert.True(request.Headers.TransferEncodingChunked is true || chunked.Headers.ContentLength is null);
        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        await declared.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        var list = await (await api.GetAsync("/api/projects?q=chunked")).ReadJsonAsync();
        Assert.Equal(0, list.GetProperty("meta").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Without_admin_settings_a_generated_password_is_printed_once_and_signs_in()
    {
        await using var first = PortalProcess.Start();
        await first.WaitUntilReadyAsync();

        var stdout = first.StandardOutput;
        var match = Assert.Single(PrintedPassword().Matches(stdout));
        var password = match.Groups[1].Value;
        Assert.True(password.Length >= 12, "the generated password should be long");
        Assert.Contains("admin@localhost", stdout, StringComparison.Ordinal);
        Assert.Equal(1, Occurrences(stdout + first.StandardError, password));
        using var http = first.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await RequestTokenAsync(http, "admin@localhost", password)).StatusCode);
        var logs = Directory.EnumerateFiles(Path.Combine(first.DataDirectory, "logs")).Select(f =>
        {
            using var reader = new StreamReader(new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            return reader.ReadToEnd();
        });
        Assert.All(logs, log => Assert.DoesNotContain(password, log, StringComparison.Ordinal));

        // The next start finds the admin and prints nothing; the same password still works.
        await first.StopAsync();
        await using var second = PortalProcess.Start(dataDirectory: first.DataDirectory);
        await second.WaitUntilReadyAsync();
        Assert.Empty(PrintedPassword().Matches(second.StandardOutput));
        using var again = second.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await RequestTokenAsync(again, "admin@localhost", password)).StatusCode);
    }

    [Theory]
    [InlineData(PortalAddressSource.Argument)]
    [InlineData(PortalAddressSource.UrlsVariable)]
    [InlineData(PortalAddressSource.KestrelEndpoint)]
    public async Task The_usual_ways_of_choosing_the_address_are_followed_and_the_address_is_printed(PortalAddressSource source)
    {
        await using var portal = PortalProcess.Start(new PortalProcessOptions { AddressSource = source });

        await portal.WaitUntilReadyAsync(); // it answers on the address it was given

        var address = portal.BaseUrl.GetLeftPart(UriPartial.Authority);
        var output = await portal.WaitForOutputAsync(o => o.Contains("Catalyst is listening on", StringComparison.Ordinal));
        Assert.Contains($"Catalyst is listening on {address}", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_chosen_address_the_default_applies_and_any_usual_choice_wins()
    {
        static IConfiguration With(params (string Key, string Value)[] settings) =>
            new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();

        Assert.False(Catalyst.Portal.Infrastructure.ListenAddresses.AreChosen(With()));
        Assert.True(Catalyst.Portal.Infrastructure.ListenAddresses.AreChosen(With(("urls", "http://127.0.0.1:6001"))));
        Assert.True(Catalyst.Portal.Infrastructure.ListenAddresses.AreChosen(With(("http_ports", "8080"))));
        Assert.True(Catalyst.Portal.Infrastructure.ListenAddresses.AreChosen(With(("Kestrel:Endpoints:Http:Url", "http://127.0.0.1:6002"))));
        var launch = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "src", "Portal", "Properties", "launchSettings.json")));
        // A launch profile's applicationUrl would replace ASPNETCORE_URLS under `dotnet run`.
        Assert.All(launch.RootElement.GetProperty("profiles").EnumerateObject(), p => Assert.False(p.Value.TryGetProperty("applicationUrl", out _), $"profile {p.Name} names an applicationUrl"));
    }

    [Fact]
    public async Task A_taken_port_stops_the_process_with_one_line_on_stderr_and_no_stack_trace()
    {
        using var holder = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        await using var portal = PortalProcess.Start(new PortalProcessOptions { Port = port });

        var exitCode = await portal.WaitForExitAsync(TimeSpan.FromSeconds(120));

        Assert.NotEqual(0, exitCode);
        var line = Assert.Single(portal.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains($"127.0.0.1:{port}", line, StringComparison.Ordinal);
        Assert.Contains("in use", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", portal.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("AddressInUseException", portal.StandardOutput, StringComparison.Ordinal); // not repeated in the log with a stack trace
        Assert.DoesNotContain("BackgroundService failed", portal.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Production", "\"@l\":\"Error\"", "\"@l\":\"Fatal\"")]
    [InlineData("Development", " ERR] ", " FTL] ")]
    public async Task A_first_start_prints_no_error_and_ends_with_the_banner_of_address_and_admin(string environment, string error, string fatal)
    {
        await using var portal = PortalProcess.Start(new PortalProcessOptions { EnvironmentName = environment });
        await portal.WaitUntilReadyAsync();
        await portal.WaitForOutputAsync(o => PrintedPassword().IsMatch(o));
        // Nothing is awaited here: this gives anything start-up still had to print the time to show up.
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);

        var output = portal.StandardOutput;
        Assert.DoesNotContain(error, output, StringComparison.Ordinal);
        Assert.DoesNotContain(fatal, output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.Equal("", portal.StandardError.Trim());
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var last = Array.FindLastIndex(lines, l => l.StartsWith("=====", StringComparison.Ordinal));
        Assert.True(last == lines.Length - 1, "the banner is not the last thing printed:\n" + string.Join('\n', lines.TakeLast(10)));
        var first = Array.FindLastIndex(lines, last - 1, l => l.StartsWith("=====", StringComparison.Ordinal));
        var banner = string.Join('\n', lines[first..]);
        Assert.Contains($"Catalyst is listening on {portal.BaseUrl.GetLeftPart(UriPartial.Authority)}", banner, StringComparison.Ordinal);
        Assert.Matches(PrintedPassword(), banner);
        Assert.Contains(IdentityBootstrapperEmail, banner, StringComparison.Ordinal);
    }

    private const string IdentityBootstrapperEmail = "admin@localhost";

    /// <summary>A stream without a length, so HttpClient has to send it chunked.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    }
}
