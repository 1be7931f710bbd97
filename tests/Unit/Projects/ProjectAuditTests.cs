using System.Net;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Projects;

public class ProjectAuditTests(PortalFactory portal)
{
    private Task<List<string>> ActionsAsync(Guid projectId) =>
        portal.WithDbAsync(db => db.AuditEntries.Where(e => e.EntityType == "Project" && e.EntityId == projectId.ToString())
            .OrderBy(e => e.At).ThenBy(e => e.Id).Select(e => e.Action).ToListAsync(TestContext.Current.CancellationToken));

    [Fact]
    public async Task Admin_actions_on_projects_through_the_API_are_audited()
    {
        var admin = await portal.CreateUserAsync("admin", admin: true);
        var api = portal.CreateApiClient(admin.Token);

        var created = await api.PostJsonAsync("/api/projects", new { name = "Audited" });
        var id = (await created.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await api.SendJsonAsync(HttpMethod.Put, $"/api/projects/{id}", new { name = "Audited v2", status = "archived" }, "\"1\"")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/projects/{id}")).StatusCode);

        Assert.Equal(["project.create", "project.update", "project.delete"], await ActionsAsync(id));
        var entry = await portal.WithDbAsync(db => db.AuditEntries.FirstAsync(e => e.EntityId == id.ToString() && e.Action == "project.delete", TestContext.Current.CancellationToken));
        Assert.Equal(admin.Id, entry.ActorId);
        Assert.Contains("Audited v2", entry.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_changing_someone_elses_project_on_the_pages_is_audited_and_listed_on_the_audit_page()
    {
        var owner = await portal.CreateUserAsync("owner");
        var admin = await portal.CreateUserAsync("admin", admin: true);
        var created = await portal.CreateApiClient(owner.Token).PostJsonAsync("/api/projects", new { name = "Someone else's" });
        var id = (await created.ReadJsonAsync()).GetProperty("data").GetProperty("id").GetGuid();
        var browser = await portal.CreateSignedInBrowserAsync(admin);

        await browser.PostWithTokenFromAsync("/Projects", $"/Projects?handler=Archive&id={id}&version=1");
        await browser.PostWithTokenFromAsync("/Projects", $"/Projects?handler=Restore&id={id}&version=2");
        await browser.PostFormAsync($"/Projects/Edit/{id}", new Dictionary<string, string> { ["Input.Name"] = "Moderated", ["Input.Status"] = "Active", ["Version"] = "3" });
        await browser.PostFormAsync($"/Projects/Delete/{id}", new Dictionary<string, string> { ["version"] = "4" });

        Assert.Equal(["project.archive", "project.restore", "project.update", "project.delete"], await ActionsAsync(id));
        var audit = await browser.GetDocumentAsync($"/Admin/Audit?entity=Project&user={Uri.EscapeDataString(admin.Email)}");
        var rows = audit.QuerySelectorAll("tbody tr").Where(r => r.TextContent.Contains(id.ToString(), StringComparison.Ordinal)).ToList();
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.Contains(admin.Email, r.TextContent, StringComparison.Ordinal));
    }
}
