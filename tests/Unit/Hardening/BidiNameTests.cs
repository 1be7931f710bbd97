using System.Net;
using System.Text.Json;
using Catalyst.Data.Assets;
using Catalyst.Data.Chat;
using Catalyst.Data.Deployments;
using Catalyst.Data.Mcp;
using Catalyst.Data.Uploads;
using Catalyst.Data.Websites;
using Catalyst.Tests.Unit.Infrastructure;
using Catalyst.Tests.Unit.Uploads;
using Catalyst.Tests.Unit.Websites;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Hardening;

/// <summary>
/// SPEC §16: bidirectional formatting controls (U+202A–U+202E, U+2066–U+2069) are refused in names,
/// so "\u202Egnp.exe" can never be shown as "exe.png": every endpoint that takes a name or a file name
/// answers 400 validation_failed with the error on that field, and creates nothing.
/// </summary>
public class BidiNameTests(PortalFactory portal)
{
    public static readonly string[] Names = ["\u202Egnp.exe", "\u2066gnp.exe\u2069"];

    private sealed record Case(string Field, Func<PortalFactory, Task<HttpResponseMessage>> Send, Func<Catalyst.Data.CatalystDbContext, Task<int>> Created);

    private static readonly Dictionary<string, Func<string, Case>> Cases = new()
    {
        ["project"] = name => new("name",
            async p => await p.CreateApiClient((await p.CreateUserAsync("bidi")).Token).PostJsonAsync("/api/projects", new { name }),
            db => db.Projects.CountAsync(x => x.Name.Contains("gnp.exe"))),
        ["website"] = name => new("name",
            async p => await p.CreateApiClient((await p.CreateUserAsync("bidi")).Token).PostJsonAsync("/api/websites", new { name }),
            db => db.Websites.CountAsync(x => x.Name.Contains("gnp.exe"))),
        ["content type"] = name => new("name",
            async p =>
            {
                var (_, api, website) = await p.UserWithWebsiteAsync("bidi");
                return await api.PostJsonAsync($"/api/websites/{website}/content-types", new { name, slug = "bidi", fields = new[] { new { name = "title", type = "text" } } });
            },
            db => db.Set<ContentType>().CountAsync(x => x.Name.Contains("gnp.exe"))),
        ["chat session"] = name => new("title",
            async p => await p.CreateApiClient((await p.CreateUserAsync("bidi")).Token).PostJsonAsync("/api/chat/sessions", new { title = name }),
            db => db.ChatSessions.CountAsync(x => x.Title.Contains("gnp.exe"))),
        ["token"] = name => new("name",
            async p =>
            {
                var user = await p.CreateUserAsync("bidi");
                return await p.CreateApiClient().PostJsonAsync("/api/auth/token", new { email = user.Email, password = user.Password, name });
            },
            db => db.ApiTokens.CountAsync(x => x.Name.Contains("gnp.exe"))),
        ["mcp server"] = name => new("name",
            async p => await p.CreateApiClient((await p.AdminAsync()).Token).PostJsonAsync("/api/admin/mcp-servers",
                new { name, transport = "http", endpoint = "https://mcp.example.com/mcp" }),
            db => db.Set<McpServer>().CountAsync(x => x.Name.Contains("gnp.exe"))),
        ["deployment config"] = name => new("name",
            async p =>
            {
                var (_, api, website) = await p.UserWithWebsiteAsync("bidi");
                return await api.PostJsonAsync($"/api/websites/{website}/deployment-configs", new { name, provider = "webhook", endpoint = "https://deploy.example.com/hook" });
            },
            db => db.Set<DeploymentConfig>().CountAsync(x => x.Name.Contains("gnp.exe"))),
        ["presigned upload"] = name => new("fileName",
            async p => await p.CreateApiClient((await p.CreateUserAsync("bidi")).Token).PostJsonAsync("/api/assets/presign",
                new { operation = "upload", fileName = name, length = 10 }),
            db => db.Set<UploadGrant>().CountAsync(x => x.FileName.Contains("gnp.exe"))),
        ["tus upload"] = name => new("filename",
            async p => await new TusClient(p.CreateApiClient((await p.CreateUserAsync("bidi")).Token)).CreateAsync(10, TusClient.Metadata(("filename", name))),
            // The backup test below uploads a plain "gnp.exe" through the same portal: only a name around it counts.
            db => db.Uploads.CountAsync(x => x.FileName != null && x.FileName.Contains("gnp.exe") && x.FileName != "gnp.exe")),
    };

    public static TheoryData<string, int> All()
    {
        var data = new TheoryData<string, int>();
        foreach (var endpoint in Cases.Keys)
            for (var i = 0; i < Names.Length; i++)
                data.Add(endpoint, i);
        return data;
    }

    [Theory]
    [MemberData(nameof(All))]
    public async Task A_name_with_a_bidi_control_is_refused_on_its_field_and_nothing_is_created(string endpoint, int name)
    {
        var @case = Cases[endpoint](Names[name]);

        var response = await @case.Send(portal);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(@case.Field, out var messages), $"no error on '{@case.Field}': {problem}");
        Assert.Contains("bidirectional", messages[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await portal.WithDbAsync(@case.Created));
    }

    [Theory]
    [InlineData("\\u202Egnp.exe")]
    [InlineData("\\u2066gnp.exe\\u2069")]
    public async Task A_backup_whose_asset_file_name_has_a_bidi_control_is_refused_and_leaves_nothing_behind(string escapedName)
    {
        var (user, api, website) = await portal.UserWithWebsiteAsync("bidi-import");
        await new TusClient(api).UploadAsync([1, 2, 3], 1 << 20, TusClient.Metadata(("filename", "gnp.exe"), ("websiteId", website.ToString())));
        var backup = await api.GetStringAsync($"/api/websites/{website}/export");
        var tampered = backup.Replace("\"fileName\":\"gnp.exe\"", $"\"fileName\":\"{escapedName}\"", StringComparison.Ordinal);
        Assert.NotEqual(backup, tampered);

        var job = await Backups.BackupTests.ImportAsync(api, System.Text.Encoding.UTF8.GetBytes(tampered), "copy");

        Assert.Equal("failed", job.GetProperty("status").GetString());
        Assert.Contains("bidirectional", job.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await portal.WithDbAsync(db => db.Websites.CountAsync(w => w.OwnerId == user.Id)));
        Assert.Equal(0, await portal.WithDbAsync(db => db.Assets.CountAsync(a => a.FileName.Contains("gnp.exe") && a.FileName != "gnp.exe")));
    }
}
