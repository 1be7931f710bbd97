using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Catalyst.Tests.Unit.Infrastructure;

namespace Catalyst.Tests.Unit.Websites;

public class WebsiteApiTests(PortalFactory portal)
{
    [Fact]
    public async Task Create_derives_the_slug_keeps_it_unique_and_put_requires_if_match()
    {
        var user = await portal.CreateUserAsync("web");
        var api = portal.CreateApiClient(user.Token);
        var name = $"Bakery {Guid.NewGuid():N}"[..20];

        var created = await api.PostAsJsonAsync("/api/websites", new { name, metadata = new { theme = "warm" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var site = (await created.ReadJsonAsync()).GetProperty("data");
        var slug = site.GetProperty("slug").GetString()!;
        Assert.Matches("^bakery-[0-9a-f]+$", slug);
        Assert.Equal("warm", site.GetProperty("metadata").GetProperty("theme").GetString());

        var other = portal.CreateApiClient((await portal.CreateUserAsync("other")).Token);
        await (await other.PostAsJsonAsync("/api/websites", new { name = "Copy", slug })).AssertProblemAsync(HttpStatusCode.Conflict, "slug_taken");

        var url = created.Headers.Location!.OriginalString;
        await (await api.SendJsonAsync(HttpMethod.Put, url, new { name = "Renamed", slug })).AssertProblemAsync(HttpStatusCode.PreconditionRequired, "precondition_required");
        var updated = await api.SendJsonAsync(HttpMethod.Put, url, new { name = "Renamed", slug }, "\"1\"");
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("\"2\"", updated.Headers.ETag?.ToString());
        await (await api.SendJsonAsync(HttpMethod.Put, url, new { name = "Again", slug }, "\"1\"")).AssertProblemAsync(HttpStatusCode.PreconditionFailed, "version_conflict");
    }

    [Theory]
    [InlineData("""{"name": ""}""", "name")]
    [InlineData("""{"name": "ok", "slug": "Not A Slug"}""", "slug")]
    [InlineData("""{"name": "ok", "metadata": [1]}""", "metadata")]
    public async Task Invalid_websites_answer_400_with_the_field(string body, string field)
    {
        var api = portal.CreateApiClient((await portal.CreateUserAsync("bad")).Token);
        var problem = await (await api.SendRawAsync(HttpMethod.Post, "/api/websites", body)).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Items_are_validated_against_their_content_type_with_per_field_errors()
    {
        var (_, api, id) = await portal.UserWithWebsiteAsync();
        var type = await api.PostAsJsonAsync($"/api/websites/{id}/content-types", new
        {
            name = "Blog post",
            fields = new object[]
            {
                new { name = "title", type = "text", required = true, maxLength = 50 },
                new { name = "body", type = "richText" },
                new { name = "rating", type = "number" },
                new { name = "featured", type = "boolean" },
                new { name = "published", type = "date" },
                new { name = "related", type = "reference" },
                new { name = "tags", type = "list", of = "text" },
            },
        });
        Assert.Equal(HttpStatusCode.Created, type.StatusCode);
        var typeData = (await type.ReadJsonAsync()).GetProperty("data");
        Assert.Equal("blog-post", typeData.GetProperty("slug").GetString());
        var typeId = typeData.GetProperty("id").GetGuid();

        var bad = await api.PostAsJsonAsync($"/api/websites/{id}/content-items", new
        {
            contentTypeId = typeId,
            data = new { rating = "five", featured = "yes", published = "not a date", related = Guid.NewGuid(), tags = new object[] { 1 }, extra = 1 },
        });
        var problem = await bad.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var errors = problem.GetProperty("errors");
        foreach (var field in new[] { "data.title", "data.rating", "data.featured", "data.published", "data.related", "data.tags", "data.extra" })
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");

        var first = await api.PostAsJsonAsync($"/api/websites/{id}/content-items", new { contentTypeId = typeId, data = new { title = "Hello", tags = new[] { "a" } }, status = "published" });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var firstId = (await first.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        var second = await api.PostAsJsonAsync($"/api/websites/{id}/content-items", new { contentTypeId = typeId, data = new { title = "Next", related = firstId, rating = 4.5, featured = true, published = "2026-11-23" } });
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal("draft", (await second.ReadJsonAsync()).GetProperty("data").GetProperty("status").GetString());

        var published = await (await api.GetAsync($"/api/websites/{id}/content-items?type={typeId}&status=published")).ReadJsonAsync();
        Assert.Equal(1, published.GetProperty("meta").GetProperty("total").GetInt32());

        await (await api.DeleteAsync($"/api/websites/{id}/content-types/{typeId}")).AssertProblemAsync(HttpStatusCode.Conflict, "content_type_in_use");
    }

    [Fact]
    public async Task Field_schemas_are_validated()
    {
        var (_, api, id) = await portal.UserWithWebsiteAsync();
        var response = await api.PostAsJsonAsync($"/api/websites/{id}/content-types", new
        {
            name = "Broken",
            fields = new object[] { new { name = "a", type = "colour" }, new { name = "a", type = "text" }, new { name = "1x", type = "text" }, new { name = "l", type = "list", of = "list" } },
        });
        var errors = (await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed")).GetProperty("errors");
        Assert.True(errors.TryGetProperty("fields[0].type", out _));
        Assert.True(errors.TryGetProperty("fields[1].name", out _));
        Assert.True(errors.TryGetProperty("fields[2].name", out _));
        Assert.True(errors.TryGetProperty("fields[3].of", out _));
    }

    [Fact]
    public async Task Preferences_are_one_json_object_per_user()
    {
        var api = portal.CreateApiClient((await portal.CreateUserAsync("prefs")).Token);
        var empty = await (await api.GetAsync("/api/me/preferences")).ReadJsonAsync();
        Assert.Equal(JsonValueKind.Object, empty.GetProperty("data").GetProperty("preferences").ValueKind);

        var saved = await api.SendJsonAsync(HttpMethod.Put, "/api/me/preferences", new { preferences = new { theme = "dark", storage = "hybrid" } });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal("dark", (await (await api.GetAsync("/api/me/preferences")).ReadJsonAsync()).GetProperty("data").GetProperty("preferences").GetProperty("theme").GetString());
        await (await api.SendJsonAsync(HttpMethod.Put, "/api/me/preferences", new { preferences = 5 })).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var huge = new string('x', 300 * 1024);
        await (await api.SendJsonAsync(HttpMethod.Put, "/api/me/preferences", new { preferences = new { huge } })).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        var other = portal.CreateApiClient((await portal.CreateUserAsync("prefs2")).Token);
        Assert.False((await (await other.GetAsync("/api/me/preferences")).ReadJsonAsync()).GetProperty("data").GetProperty("preferences").TryGetProperty("theme", out _));
    }

    public static TheoryData<string, string> Endpoints() => new()
    {
        { "GET", "/api/websites/{w}" },
        { "PUT", "/api/websites/{w}" },
        { "DELETE", "/api/websites/{w}" },
        { "GET", "/api/websites/{w}/content-types" },
        { "POST", "/api/websites/{w}/content-types" },
        { "GET", "/api/websites/{w}/content-types/{t}" },
        { "PUT", "/api/websites/{w}/content-types/{t}" },
        { "DELETE", "/api/websites/{w}/content-types/{t}" },
        { "GET", "/api/websites/{w}/content-items" },
        { "POST", "/api/websites/{w}/content-items" },
        { "GET", "/api/websites/{w}/content-items/{i}" },
        { "PUT", "/api/websites/{w}/content-items/{i}" },
        { "DELETE", "/api/websites/{w}/content-items/{i}" },
        { "GET", "/api/websites/{w}/data" },
        { "PUT", "/api/websites/{w}/data" },
        { "PATCH", "/api/websites/{w}/data" },
        { "GET", "/api/websites/{w}/data/versions" },
        { "GET", "/api/websites/{w}/data/versions/1" },
        { "POST", "/api/websites/{w}/data/versions/1/restore" },
        { "GET", "/api/websites/{w}/download" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Another_users_website_is_404_on_every_endpoint_and_stays_unchanged(string method, string pattern)
    {
        var (_, owner, id) = await portal.UserWithWebsiteAsync("owner");
        await owner.PutDataAsync(id, """{"content": {"v": 1}}""", "\"0\"");
        var type = (await (await owner.PostAsJsonAsync($"/api/websites/{id}/content-types", new { name = "T", fields = new[] { new { name = "title", type = "text" } } })).ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        var item = (await (await owner.PostAsJsonAsync($"/api/websites/{id}/content-items", new { contentTypeId = type, data = new { title = "x" } })).ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        var url = pattern.Replace("{w}", id.ToString(), StringComparison.Ordinal).Replace("{t}", type.ToString(), StringComparison.Ordinal).Replace("{i}", item.ToString(), StringComparison.Ordinal);
        var intruder = portal.CreateApiClient((await portal.CreateUserAsync("intruder")).Token);
        var body = method == "PATCH" ? null : "{\"name\": \"x\", \"content\": 2, \"contentTypeId\": \"" + type + "\", \"data\": {\"title\": \"y\"}}";

        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (method is "PUT" or "POST")
            request.Content = new StringContent(body!, System.Text.Encoding.UTF8, "application/json");
        if (method == "PATCH")
            request.Content = new StringContent("{\"content\": 3}", System.Text.Encoding.UTF8, "application/merge-patch+json");
        request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        var response = await intruder.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(1, (await owner.GetDataAsync(id)).GetProperty("content").GetProperty("v").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/api/websites/{id}/content-items/{item}")).StatusCode);
        var admin = portal.CreateApiClient((await portal.AdminAsync()).Token);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/websites/{id}")).StatusCode);
    }
}
