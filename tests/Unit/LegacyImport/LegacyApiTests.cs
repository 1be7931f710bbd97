using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.LegacyImport;

public class LegacyApiTests(PortalFactory portal)
{
    public static MultipartFormDataContent Form(IEnumerable<(string Name, byte[] Bytes)> files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, bytes) in files)
        {
            var part = new ByteArrayContent(bytes);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            form.Add(part, "files", name);
        }
        return form;
    }

    /// <summary>Waits for the job that <paramref name="started"/> answered; returns the finished JobRun.</summary>
    public static async Task<JsonElement> FinishAsync(HttpClient api, HttpResponseMessage started)
    {
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var location = started.Headers.Location!.OriginalString;
        return await Poll.UntilAsync(async () => (await (await api.GetAsync(location)).ReadJsonAsync()).GetProperty("data"),
            j => j.GetProperty("status").GetString() is "succeeded" or "failed" or "canceled", TimeSpan.FromSeconds(120), "the migration job");
    }

    private static async Task<(Guid Id, JsonElement Report)> MigrateAsync(HttpClient api, string mode, IEnumerable<(string, byte[])> files, string? query = null)
    {
        var job = await FinishAsync(api, await api.PostAsync($"/api/migrations/legacy?mode={mode}{query}", Form(files)));
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        var id = job.GetProperty("result").GetGuid();
        return (id, (await (await api.GetAsync($"/api/migrations/{id}")).ReadJsonAsync()).GetProperty("data"));
    }

    [Fact]
    public async Task Dry_run_apply_verify_and_rollback_through_the_api()
    {
        var user = await portal.CreateUserAsync("legacy-api");
        var api = portal.CreateApiClient(user.Token);
        var dumps = LegacyTestDumps.Create();

        var (dryId, dry) = await MigrateAsync(api, "dry-run", dumps.Small());
        Assert.Equal(dryId, dry.GetProperty("id").GetGuid());
        Assert.Equal("dry-run", dry.GetProperty("status").GetString());
        foreach (var table in dry.GetProperty("tables").EnumerateArray())
        {
            Assert.False(string.IsNullOrEmpty(table.GetProperty("database").GetString()));
            Assert.Equal(table.GetProperty("source").GetInt32(),
                table.GetProperty("imported").GetInt32() + table.GetProperty("skipped").GetInt32() + table.GetProperty("failed").GetInt32());
        }
        Assert.Equal(6, dry.GetProperty("blobs").GetProperty("source").GetInt32());
        Assert.Contains(dry.GetProperty("problems").EnumerateArray(), p => p.GetProperty("key").GetString() == "m3");
        Assert.Equal(0, await portal.WithDbAsync(db => db.ChatSessions.CountAsync(s => s.UserId == user.Id)));
        Assert.Equal(HttpStatusCode.Conflict, (await api.PostAsync($"/api/migrations/{dryId}/rollback", null)).StatusCode);

        var (id, applied) = await MigrateAsync(api, "apply", dumps.Small());
        Assert.Equal("applied", applied.GetProperty("status").GetString());
        Assert.Equal(3, await portal.WithDbAsync(db => db.ChatSessions.CountAsync(s => s.UserId == user.Id)));

        var verify = await FinishAsync(api, await api.PostAsync($"/api/migrations/{id}/verify", null));
        Assert.Equal("succeeded", verify.GetProperty("status").GetString());
        var verified = (await (await api.GetAsync($"/api/migrations/{id}")).ReadJsonAsync()).GetProperty("data");
        Assert.Equal("verified", verified.GetProperty("status").GetString());
        Assert.True(verified.GetProperty("verification").GetProperty("passed").GetBoolean());

        var rollback = await FinishAsync(api, await api.PostAsync($"/api/migrations/{id}/rollback", null));
        Assert.Equal("succeeded", rollback.GetProperty("status").GetString());
        Assert.Equal("rolled-back", (await (await api.GetAsync($"/api/migrations/{id}")).ReadJsonAsync()).GetProperty("data").GetProperty("status").GetString());
        Assert.Equal(0, await portal.WithDbAsync(db => db.ChatSessions.CountAsync(s => s.UserId == user.Id)));
        Assert.Equal(0, await portal.WithDbAsync(db => db.Websites.CountAsync(w => w.OwnerId == user.Id)));
    }

    [Fact]
    public async Task Another_users_migration_is_not_found_and_admins_migrate_for_a_user()
    {
        var owner = await portal.CreateUserAsync("legacy-owner");
        var other = await portal.CreateUserAsync("legacy-other");
        var admin = await portal.AdminAsync();
        var adminApi = portal.CreateApiClient(admin.Token);
        var (id, report) = await MigrateAsync(adminApi, "apply", LegacyTestDumps.Create().Small(), $"&userId={owner.Id}");
        Assert.Equal("applied", report.GetProperty("status").GetString());
        Assert.Equal(3, await portal.WithDbAsync(db => db.ChatSessions.CountAsync(s => s.UserId == owner.Id)));

        var otherApi = portal.CreateApiClient(other.Token);
        foreach (var response in new[]
        {
            await otherApi.GetAsync($"/api/migrations/{id}"),
            await otherApi.PostAsync($"/api/migrations/{id}/verify", null),
            await otherApi.PostAsync($"/api/migrations/{id}/rollback", null),
        })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("not_found", (await response.ReadJsonAsync()).GetProperty("code").GetString());
        }
        Assert.Equal(HttpStatusCode.OK, (await portal.CreateApiClient(owner.Token).GetAsync($"/api/migrations/{id}")).StatusCode);
        var forOther = await otherApi.PostAsync($"/api/migrations/legacy?mode=apply&userId={owner.Id}", Form(LegacyTestDumps.Create().Small()));
        Assert.Equal(HttpStatusCode.Forbidden, forOther.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await adminApi.PostAsync($"/api/migrations/legacy?mode=apply&userId={Guid.NewGuid()}", Form(LegacyTestDumps.Create().Small()))).StatusCode);
    }

    [Fact]
    public async Task Bad_input_is_a_clear_problem_and_a_broken_file_is_a_report_entry()
    {
        var user = await portal.CreateUserAsync("legacy-bad");
        var api = portal.CreateApiClient(user.Token);
        async Task Expect(HttpResponseMessage response, HttpStatusCode status, string code)
        {
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(code, (await response.ReadJsonAsync()).GetProperty("code").GetString());
        }
        await Expect(await api.PostAsync("/api/migrations/legacy?mode=apply", Form([])), HttpStatusCode.BadRequest, "validation_failed");
        await Expect(await api.PostAsync("/api/migrations/legacy?mode=sideways", Form([("a.json", "{}"u8.ToArray())])), HttpStatusCode.BadRequest, "validation_failed");
        await Expect(await api.PostAsync("/api/migrations/legacy?mode=apply", new StringContent("{}", System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        await Expect(await api.PostAsync("/api/migrations/legacy?mode=apply", Form([("empty.json", [])])), HttpStatusCode.BadRequest, "validation_failed");
        var broken = new StringContent("--x\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.json\"\r\n\r\n{\"trunc", System.Text.Encoding.UTF8);
        broken.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=x");
        await Expect(await api.PostAsync("/api/migrations/legacy?mode=apply", broken), HttpStatusCode.BadRequest, "validation_failed");
        await Expect(await api.GetAsync($"/api/migrations/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "not_found");
        Assert.Equal(0, await portal.WithDbAsync(db => db.Set<Catalyst.Data.LegacyImport.LegacyImportMigration>().CountAsync(m => m.OwnerId == user.Id)));

        // A file that is not a dump at all: the run finishes and reports it.
        var (_, report) = await MigrateAsync(api, "apply", [("notes.txt", "this is not JSON"u8.ToArray()), .. LegacyTestDumps.Create().Small().Take(1)]);
        Assert.Equal("applied", report.GetProperty("status").GetString());
        Assert.Contains(report.GetProperty("problems").EnumerateArray(), p => p.GetProperty("message").GetString()!.Length > 0 && p.GetProperty("key").ValueKind == JsonValueKind.Null);
    }
}
