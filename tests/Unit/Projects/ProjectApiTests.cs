using System.Net;
using System.Text.Json;
using Catalyst.Data.Projects;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Projects;

public class ProjectApiTests(PortalFactory portal)
{
    [Fact]
    public async Task Create_answers_201_with_location_etag_and_the_project()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);

        var response = await api.PostJsonAsync("/api/projects", new { name = "  Site redesign ", description = "New look", tags = new[] { "Web", "web", " design " } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var json = await response.ReadJsonAsync();
        var data = json.GetProperty("data");
        var id = data.GetProperty("id").GetGuid();
        Assert.Equal($"/api/projects/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", response.Headers.ETag?.ToString());
        Assert.Equal("Site redesign", data.GetProperty("name").GetString());
        Assert.Equal("active", data.GetProperty("status").GetString());
        Assert.Equal(["web", "design"], data.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(user.Id, data.GetProperty("ownerId").GetGuid());

        var fetched = await api.GetAsync($"/api/projects/{id}");
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        Assert.Equal("\"1\"", fetched.Headers.ETag?.ToString());
    }

    private static async Task<JsonElement> CreateAsync(HttpClient api, string name, string? description = null, string[]? tags = null)
    {
        var response = await api.PostJsonAsync("/api/projects", new { name, description, tags });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("data");
    }

    private Task<Project> LoadAsync(Guid id) =>
        portal.WithDbAsync(db => db.Projects.AsNoTracking().SingleAsync(p => p.Id == id, TestContext.Current.CancellationToken));

    private static List<string?> Names(JsonElement list) =>
        list.GetProperty("data").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();

    [Fact]
    public async Task The_list_is_paged_newest_first_with_page_pageSize_and_total()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        for (var i = 1; i <= 5; i++)
            await CreateAsync(api, $"Paged {i}");

        var first = await (await api.GetAsync("/api/projects?pageSize=2")).ReadJsonAsync();
        var last = await (await api.GetAsync("/api/projects?pageSize=2&page=3")).ReadJsonAsync();
        var beyond = await (await api.GetAsync("/api/projects?pageSize=2&page=4")).ReadJsonAsync();
        var defaults = await (await api.GetAsync("/api/projects")).ReadJsonAsync();

        Assert.Equal(["Paged 5", "Paged 4"], Names(first));
        Assert.Equal(1, first.GetProperty("meta").GetProperty("page").GetInt32());
        Assert.Equal(2, first.GetProperty("meta").GetProperty("pageSize").GetInt32());
        Assert.Equal(5, first.GetProperty("meta").GetProperty("total").GetInt32());
        Assert.Equal(["Paged 1"], Names(last));
        Assert.Empty(Names(beyond));
        Assert.Equal(5, beyond.GetProperty("meta").GetProperty("total").GetInt32());
        Assert.Equal(20, defaults.GetProperty("meta").GetProperty("pageSize").GetInt32());
    }

    [Theory]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=101", "pageSize")]
    [InlineData("page=0", "page")]
    public async Task Out_of_range_paging_answers_400_validation_failed(string query, string field)
    {
        var user = await portal.CreateUserAsync();

        var response = await portal.CreateApiClient(user.Token).GetAsync($"/api/projects?{query}");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Non_numeric_paging_answers_400_problem_not_500()
    {
        var user = await portal.CreateUserAsync();

        var response = await portal.CreateApiClient(user.Token).GetAsync("/api/projects?page=abc");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_parameter");
    }

    [Fact]
    public async Task Search_matches_names_case_insensitively()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        await CreateAsync(api, "Marketing Website");
        await CreateAsync(api, "Internal tools");
        await CreateAsync(api, "website refresh");

        var found = await (await api.GetAsync("/api/projects?q=WEBSITE")).ReadJsonAsync();

        Assert.Equal(["website refresh", "Marketing Website"], Names(found));
        Assert.Equal(2, found.GetProperty("meta").GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("100%", "100% done")]
    [InlineData("a_b", "a_b plan")]
    [InlineData("back\\slash", "back\\slash")]
    public async Task LIKE_wildcards_in_the_search_are_matched_literally(string query, string expected)
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        foreach (var name in new[] { "100% done", "1000 done", "a_b plan", "axb plan", "back\\slash", "backslash" })
            await CreateAsync(api, name);

        var found = await (await api.GetAsync($"/api/projects?q={Uri.EscapeDataString(query)}")).ReadJsonAsync();

        Assert.Equal([expected], Names(found));
    }

    [Fact]
    public async Task Users_see_only_their_own_projects_and_admins_see_everyones()
    {
        var alice = await portal.CreateUserAsync("alice");
        var bob = await portal.CreateUserAsync("bob");
        var admin = await portal.CreateUserAsync("admin", admin: true);
        var marker = Guid.NewGuid().ToString("N")[..10];
        await CreateAsync(portal.CreateApiClient(alice.Token), $"Alice {marker}");
        await CreateAsync(portal.CreateApiClient(bob.Token), $"Bob {marker}");

        var alices = await (await portal.CreateApiClient(alice.Token).GetAsync($"/api/projects?q={marker}")).ReadJsonAsync();
        var bobs = await (await portal.CreateApiClient(bob.Token).GetAsync($"/api/projects?q={marker}")).ReadJsonAsync();
        var all = await (await portal.CreateApiClient(admin.Token).GetAsync($"/api/projects?q={marker}")).ReadJsonAsync();

        Assert.Equal([$"Alice {marker}"], Names(alices));
        Assert.Equal(1, alices.GetProperty("meta").GetProperty("total").GetInt32());
        Assert.Equal([$"Bob {marker}"], Names(bobs));
        Assert.Equal([$"Alice {marker}", $"Bob {marker}"], Names(all).Order());
        Assert.Equal(2, all.GetProperty("meta").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task The_list_can_be_filtered_by_status()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        await CreateAsync(api, "Still going");
        var old = await CreateAsync(api, "Done long ago");
        await api.SendJsonAsync(HttpMethod.Put, $"/api/projects/{old.GetProperty("id").GetGuid()}", new { name = "Done long ago", status = "archived" }, "\"1\"");

        var archived = await (await api.GetAsync("/api/projects?status=archived")).ReadJsonAsync();
        var active = await (await api.GetAsync("/api/projects?status=active")).ReadJsonAsync();

        var portalSpelling = await (await api.GetAsync("/api/projects?status=Archived")).ReadJsonAsync();
        var unknown = await api.GetAsync("/api/projects?status=deleted");

        Assert.Equal(["Done long ago"], Names(archived));
        Assert.Equal(["Still going"], Names(active));
        Assert.Equal(["Done long ago"], Names(portalSpelling));
        var problem = await unknown.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("status", out _));
    }

    public static TheoryData<string, string> InvalidProjects() => new()
    {
        { """{"name":""}""", "name" },
        { """{"name":"   "}""", "name" },
        { """{}""", "name" },
        { JsonSerializer.Serialize(new { name = new string('n', ProjectRules.MaxNameLength + 1) }), "name" },
        { JsonSerializer.Serialize(new { name = "ok", description = new string('d', ProjectRules.MaxDescriptionLength + 1) }), "description" },
        { JsonSerializer.Serialize(new { name = "ok", tags = Enumerable.Range(1, ProjectRules.MaxTags + 1).Select(i => $"tag{i}") }), "tags" },
        { JsonSerializer.Serialize(new { name = "ok", tags = new[] { new string('t', ProjectRules.MaxTagLength + 1) } }), "tags" },
        { """{"name":"line\nbreak"}""", "name" },
    };

    [Theory]
    [MemberData(nameof(InvalidProjects))]
    public async Task Invalid_projects_answer_400_with_per_field_errors_and_write_nothing(string body, string field)
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var existing = await CreateAsync(api, "Untouched");
        var id = existing.GetProperty("id").GetGuid();

        var created = await api.SendRawAsync(HttpMethod.Post, "/api/projects", body);
        var replaced = await api.SendRawAsync(HttpMethod.Put, $"/api/projects/{id}", body, ifMatch: "\"1\"");

        foreach (var response in new[] { created, replaced })
        {
            var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
            var errors = problem.GetProperty("errors");
            Assert.True(errors.TryGetProperty(field, out var messages), $"errors should name {field}: {problem}");
            Assert.NotEmpty(messages.EnumerateArray().Select(m => m.GetString()));
        }
        Assert.Equal(1, await portal.WithDbAsync(db => db.Projects.CountAsync(p => p.OwnerId == user.Id, TestContext.Current.CancellationToken)));
        var after = await LoadAsync(id);
        Assert.Equal("Untouched", after.Name);
        Assert.Equal(1, after.Version);
    }

    [Fact]
    public async Task Several_invalid_fields_are_reported_together()
    {
        var user = await portal.CreateUserAsync();

        var response = await portal.CreateApiClient(user.Token).PostJsonAsync("/api/projects", new
        {
            name = "",
            description = new string('d', ProjectRules.MaxDescriptionLength + 1),
            tags = Enumerable.Range(1, ProjectRules.MaxTags + 1).Select(i => $"tag{i}"),
        });

        var errors = (await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed")).GetProperty("errors");
        Assert.Equal(["description", "name", "tags"], errors.EnumerateObject().Select(e => e.Name).Order());
    }

    [Fact]
    public async Task PUT_replaces_the_project_and_answers_the_new_ETag()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var id = (await CreateAsync(api, "Before", "old", ["a"])).GetProperty("id").GetGuid();

        var response = await api.SendJsonAsync(HttpMethod.Put, $"/api/projects/{id}", new { name = "After", description = "new", tags = new[] { "b", "c" }, status = "archived" }, "\"1\"");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"2\"", response.Headers.ETag?.ToString());
        var data = (await response.ReadJsonAsync()).GetProperty("data");
        Assert.Equal("After", data.GetProperty("name").GetString());
        Assert.Equal("archived", data.GetProperty("status").GetString());
        Assert.Equal(2, data.GetProperty("version").GetInt64());
        var saved = await LoadAsync(id);
        Assert.Equal(["b", "c"], saved.Tags);
        Assert.Equal("new", saved.Description);
        Assert.True(saved.UpdatedAt >= saved.CreatedAt);
    }

    [Fact]
    public async Task PUT_without_If_Match_answers_428_and_changes_nothing()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var id = (await CreateAsync(api, "Guarded")).GetProperty("id").GetGuid();

        var response = await api.SendJsonAsync(HttpMethod.Put, $"/api/projects/{id}", new { name = "Overwritten" });

        await response.AssertProblemAsync(HttpStatusCode.PreconditionRequired, "precondition_required");
        Assert.Equal("Guarded", (await LoadAsync(id)).Name);
    }

    [Fact]
    public async Task A_stale_If_Match_answers_412_version_conflict_with_the_current_ETag_and_keeps_the_project()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var id = (await CreateAsync(api, "Version one")).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await api.SendJsonAsync(HttpMethod.Put, $"/api/projects/{id}", new { name = "Version two" }, "\"1\"")).StatusCode);

        var stale = await api.SendJsonAsync(HttpMethod.Put, $"/api/projects/{id}", new { name = "Lost update" }, "\"1\"");

        var problem = await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed, "version_conflict");
        Assert.Equal("\"2\"", stale.Headers.ETag?.ToString());
        Assert.Contains("2", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var saved = await LoadAsync(id);
        Assert.Equal("Version two", saved.Name);
        Assert.Equal(2, saved.Version);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("W/\"1\"")]
    [InlineData("\"1\", \"2\"")]
    [InlineData("1")]
    public async Task An_If_Match_that_is_not_one_strong_version_answers_400_and_changes_nothing(string ifMatch)
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var id = (await CreateAsync(api, "Guarded")).GetProperty("id").GetGuid();

        var response = await api.SendJsonAsync(HttpMethod.Put, $"/api/projects/{id}", new { name = "Overwritten" }, ifMatch);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Guarded", (await LoadAsync(id)).Name);
    }

    [Fact]
    public async Task Concurrent_PUTs_with_the_same_If_Match_let_exactly_one_win()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var id = (await CreateAsync(api, "Contended")).GetProperty("id").GetGuid();

        var responses = await Task.WhenAll(Enumerable.Range(1, 4).Select(i =>
            portal.CreateApiClient(user.Token).SendJsonAsync(HttpMethod.Put, $"/api/projects/{id}", new { name = $"Writer {i}" }, "\"1\"")));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed));
        foreach (var loser in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            await loser.AssertProblemAsync(HttpStatusCode.PreconditionFailed, "version_conflict");
            Assert.Equal("\"2\"", loser.Headers.ETag?.ToString());
        }
        var winner = (await responses.Single(r => r.StatusCode == HttpStatusCode.OK).ReadJsonAsync()).GetProperty("data").GetProperty("name").GetString();
        var saved = await LoadAsync(id);
        Assert.Equal(winner, saved.Name);
        Assert.Equal(2, saved.Version);
    }

    [Fact]
    public async Task If_None_Match_with_the_current_ETag_answers_304_and_a_stale_one_the_project()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var id = (await CreateAsync(api, "Cached")).GetProperty("id").GetGuid();

        using var current = new HttpRequestMessage(HttpMethod.Get, $"/api/projects/{id}");
        current.Headers.TryAddWithoutValidation("If-None-Match", "\"1\"");
        var notModified = await api.SendAsync(current);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        await api.SendJsonAsync(HttpMethod.Put, $"/api/projects/{id}", new { name = "Cached v2" }, "\"1\"");
        using var stale = new HttpRequestMessage(HttpMethod.Get, $"/api/projects/{id}");
        stale.Headers.TryAddWithoutValidation("If-None-Match", "\"1\"");
        var fresh = await api.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal("\"2\"", fresh.Headers.ETag?.ToString());
    }

    [Fact]
    public async Task DELETE_removes_the_project_and_a_stale_If_Match_keeps_it()
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        var id = (await CreateAsync(api, "Doomed")).GetProperty("id").GetGuid();
        await api.SendJsonAsync(HttpMethod.Put, $"/api/projects/{id}", new { name = "Doomed v2" }, "\"1\"");

        var stale = await api.SendJsonAsync(HttpMethod.Delete, $"/api/projects/{id}", null, "\"1\"");
        await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed, "version_conflict");
        Assert.Equal("Doomed v2", (await LoadAsync(id)).Name);

        var deleted = await api.SendJsonAsync(HttpMethod.Delete, $"/api/projects/{id}", null, "\"2\"");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await (await api.GetAsync($"/api/projects/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await api.DeleteAsync($"/api/projects/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task An_unknown_project_id_answers_404_problem()
    {
        var user = await portal.CreateUserAsync();

        var response = await portal.CreateApiClient(user.Token).GetAsync($"/api/projects/{Guid.NewGuid()}");

        await response.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }
}
