using System.Net;
using Catalyst.Tests.Unit.Infrastructure;

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
}
