using System.Net;
using Catalyst.Data.Projects;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Projects;

public class ProjectPageTests(PortalFactory portal)
{
    private Task<Project> CreateAsync(TestUser owner, string name, ProjectStatus status = ProjectStatus.Active) =>
        portal.WithScopeAsync(sp => sp.GetRequiredService<ProjectService>()
            .CreateAsync(owner.Actor, new ProjectInput(name, null, ["web"], status), CancellationToken.None));

    private Task<Project?> LoadAsync(Guid id) =>
        portal.WithDbAsync(db => db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, TestContext.Current.CancellationToken));

    private Task<int> CountAsync(TestUser owner) =>
        portal.WithDbAsync(db => db.Projects.CountAsync(p => p.OwnerId == owner.Id, TestContext.Current.CancellationToken));

    [Fact]
    public async Task Creating_a_project_on_the_page_saves_it_and_says_so()
    {
        var user = await portal.CreateUserAsync();
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var response = await browser.PostFormAsync("/Projects/Create", new Dictionary<string, string>
        {
            ["Input.Name"] = "  Portal project ",
            ["Input.Description"] = "From the form",
            ["Input.Tags"] = "Web, design,  web",
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var saved = await portal.WithDbAsync(db => db.Projects.SingleAsync(p => p.OwnerId == user.Id, TestContext.Current.CancellationToken));
        Assert.Equal("Portal project", saved.Name);
        Assert.Equal(["web", "design"], saved.Tags);
        Assert.Equal(ProjectStatus.Active, saved.Status);
        var list = await browser.GetDocumentAsync(response.Headers.Location!.OriginalString);
        Assert.Equal("Project “Portal project” was created.", list.QuerySelector("[role=status]")?.TextContent.Trim());
        Assert.NotNull(list.QuerySelector($"a[href='/Projects/Edit/{saved.Id}']"));
    }

    [Theory]
    [InlineData("", "Name is required.")]
    [InlineData("   ", "Name is required.")]
    public async Task Creating_without_a_name_shows_the_message_next_to_the_Name_field_and_saves_nothing(string name, string message)
    {
        var user = await portal.CreateUserAsync();
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var response = await browser.PostFormAsync("/Projects/Create", new Dictionary<string, string>
        {
            ["Input.Name"] = name,
            ["Input.Description"] = "Keep what I typed",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await Forms.ParseAsync(response);
        Assert.Equal(message, page.FieldError("Input.Name"));
        Assert.Equal("true", page.QuerySelector("#Input_Name")?.GetAttribute("aria-invalid"));
        Assert.Equal("Keep what I typed", page.QuerySelector("#Input_Description")?.TextContent);
        Assert.Equal(0, await CountAsync(user));
    }

    [Fact]
    public async Task The_services_rules_are_shown_next_to_their_fields_too()
    {
        var user = await portal.CreateUserAsync();
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var tooLong = await Forms.ParseAsync(await browser.PostFormAsync("/Projects/Create", new Dictionary<string, string>
        {
            ["Input.Name"] = new string('n', ProjectRules.MaxNameLength + 1),
        }));
        var tooManyTags = await Forms.ParseAsync(await browser.PostFormAsync("/Projects/Create", new Dictionary<string, string>
        {
            ["Input.Name"] = "Tagged",
            ["Input.Tags"] = string.Join(",", Enumerable.Range(1, ProjectRules.MaxTags + 1).Select(i => $"t{i}")),
        }));

        Assert.Equal($"Name must be at most {ProjectRules.MaxNameLength} characters.", tooLong.FieldError("Input.Name"));
        Assert.Equal($"At most {ProjectRules.MaxTags} tags.", tooManyTags.FieldError("Input.Tags"));
        Assert.Equal(0, await CountAsync(user));
    }

    [Fact]
    public async Task An_htmx_search_answers_only_the_list_partial()
    {
        var user = await portal.CreateUserAsync();
        await CreateAsync(user, "Garden planner");
        await CreateAsync(user, "Recipe box");
        var browser = await portal.CreateSignedInBrowserAsync(user);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/Projects?q=garden");
        request.Headers.Add("HX-Request", "true");
        var partial = await browser.SendAsync(request);
        var full = await browser.GetAsync("/Projects?q=garden");

        Assert.Equal(HttpStatusCode.OK, partial.StatusCode);
        var fragment = await partial.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<html", fragment, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<nav aria-label=\"Main\"", fragment, StringComparison.Ordinal);
        Assert.Contains("Garden planner", fragment, StringComparison.Ordinal);
        Assert.DoesNotContain("Recipe box", fragment, StringComparison.Ordinal);
        var page = await full.Content.ReadAsStringAsync();
        Assert.Contains("<html", page, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("id=\"project-list\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_search_without_matches_says_so()
    {
        var user = await portal.CreateUserAsync();
        await CreateAsync(user, "Garden planner");
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var page = await browser.GetDocumentAsync("/Projects?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E");

        var empty = page.QuerySelector("[data-testid=projects-empty]");
        Assert.NotNull(empty);
        Assert.Contains("<script>alert(1)</script>", empty.TextContent, StringComparison.Ordinal); // shown as text...
        Assert.Empty(page.QuerySelectorAll("main script"));                                         // ...never as markup
    }

    [Fact]
    public async Task The_list_pages_through_many_projects()
    {
        var user = await portal.CreateUserAsync();
        for (var i = 1; i <= 21; i++)
            await CreateAsync(user, $"Item {i:00}");
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var first = await browser.GetDocumentAsync("/Projects");
        var second = await browser.GetDocumentAsync("/Projects?q=&page=2");

        Assert.Equal(20, first.QuerySelectorAll("[data-testid=projects-table] tbody tr").Length);
        Assert.Contains("21 total · page 1 of 2", first.QuerySelector(".pager")?.TextContent, StringComparison.Ordinal);
        Assert.Equal("Item 01", Assert.Single(second.QuerySelectorAll("[data-testid=projects-table] tbody tr")).QuerySelector("a")?.TextContent);
    }

    [Fact]
    public async Task Archiving_and_restoring_from_the_list()
    {
        var user = await portal.CreateUserAsync();
        var project = await CreateAsync(user, "Seasonal");
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var archive = await browser.PostWithTokenFromAsync("/Projects", $"/Projects?handler=Archive&id={project.Id}&version={project.Version}&q=Seas");
        Assert.Equal(HttpStatusCode.Redirect, archive.StatusCode);
        Assert.Equal("/Projects?q=Seas", archive.Headers.Location?.OriginalString);
        var archived = await LoadAsync(project.Id);
        Assert.Equal(ProjectStatus.Archived, archived?.Status);
        var list = await browser.GetDocumentAsync("/Projects?status=Archived");
        Assert.Equal("“Seasonal” was archived.", list.QuerySelector("[role=status]")?.TextContent.Trim());
        Assert.NotNull(list.QuerySelector($"a[href='/Projects/Edit/{project.Id}']"));

        var restore = await browser.PostWithTokenFromAsync("/Projects", $"/Projects?handler=Restore&id={project.Id}&version={archived!.Version}");
        Assert.Equal(HttpStatusCode.Redirect, restore.StatusCode);
        Assert.Equal(ProjectStatus.Active, (await LoadAsync(project.Id))?.Status);
    }

    [Fact]
    public async Task The_rows_own_Archive_and_Restore_forms_work_and_come_back_to_the_same_list_page()
    {
        var user = await portal.CreateUserAsync();
        for (var i = 1; i <= 21; i++)
            await CreateAsync(user, $"Row {i:00}");
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var second = await browser.GetDocumentAsync("/Projects?q=Row&page=2");
        var archiveForm = Assert.Single(second.QuerySelectorAll("[data-testid=projects-table] tbody form"));
        var archiveAction = archiveForm.GetAttribute("action");
        Assert.False(string.IsNullOrEmpty(archiveAction), "the Archive form has no action");
        var archive = await browser.PostWithTokenFromAsync("/Projects", archiveAction!);

        Assert.Equal(HttpStatusCode.Redirect, archive.StatusCode);
        Assert.Equal("/Projects?q=Row&page=2", archive.Headers.Location?.OriginalString);
        var project = await portal.WithDbAsync(db => db.Projects.AsNoTracking().SingleAsync(p => p.OwnerId == user.Id && p.Name == "Row 01", TestContext.Current.CancellationToken));
        Assert.Equal(ProjectStatus.Archived, project.Status);

        var archived = await browser.GetDocumentAsync("/Projects?status=Archived");
        var restoreForm = Assert.Single(archived.QuerySelectorAll("[data-testid=projects-table] tbody form"));
        Assert.Equal("Restore", restoreForm.QuerySelector("button")?.TextContent);
        var restore = await browser.PostWithTokenFromAsync("/Projects", restoreForm.GetAttribute("action")!);

        Assert.Equal(HttpStatusCode.Redirect, restore.StatusCode);
        Assert.Equal("/Projects?q=&status=Archived", restore.Headers.Location?.OriginalString);
        Assert.Equal(ProjectStatus.Active, (await LoadAsync(project.Id))?.Status);
    }

    [Fact]
    public async Task Archiving_with_a_stale_version_changes_nothing_and_explains_why()
    {
        var user = await portal.CreateUserAsync();
        var project = await CreateAsync(user, "Raced");
        await portal.WithScopeAsync(sp => sp.GetRequiredService<ProjectService>().UpdateAsync(user.Actor, project.Id, 1, new ProjectInput("Raced v2", null, null, null), CancellationToken.None));
        var browser = await portal.CreateSignedInBrowserAsync(user);

        await browser.PostWithTokenFromAsync("/Projects", $"/Projects?handler=Archive&id={project.Id}&version=1");

        var after = await LoadAsync(project.Id);
        Assert.Equal(ProjectStatus.Active, after?.Status);
        Assert.Equal(2, after?.Version);
        var list = await browser.GetDocumentAsync("/Projects");
        Assert.Contains("changed by someone else", list.QuerySelector("[role=status]")?.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_asks_for_confirmation_first_then_removes_the_project()
    {
        var user = await portal.CreateUserAsync();
        var project = await CreateAsync(user, "Short-lived");
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var confirmation = await browser.GetDocumentAsync($"/Projects/Delete/{project.Id}");
        Assert.Equal("Delete “Short-lived”?", confirmation.QuerySelector("h1")?.TextContent);
        Assert.NotNull(await LoadAsync(project.Id)); // looking at the confirmation deletes nothing
        var version = confirmation.QuerySelector("input[name=version]")?.GetAttribute("value");
        Assert.Equal("1", version);

        var response = await browser.PostFormAsync($"/Projects/Delete/{project.Id}", new Dictionary<string, string> { ["version"] = version! });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Null(await LoadAsync(project.Id));
        var list = await browser.GetDocumentAsync("/Projects");
        Assert.Equal("Project “Short-lived” was deleted.", list.QuerySelector("[role=status]")?.TextContent.Trim());
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/Projects/Delete/{project.Id}")).StatusCode);
    }

    [Fact]
    public async Task A_confirmation_opened_before_someone_else_edited_the_project_does_not_delete_it()
    {
        var user = await portal.CreateUserAsync();
        var project = await CreateAsync(user, "Contested");
        var browser = await portal.CreateSignedInBrowserAsync(user);
        var confirmation = await browser.GetDocumentAsync($"/Projects/Delete/{project.Id}");
        await portal.WithScopeAsync(sp => sp.GetRequiredService<ProjectService>().UpdateAsync(user.Actor, project.Id, 1, new ProjectInput("Contested v2", null, null, null), CancellationToken.None));

        var response = await browser.PostFormAsync($"/Projects/Delete/{project.Id}", new Dictionary<string, string>
        {
            ["version"] = confirmation.QuerySelector("input[name=version]")!.GetAttribute("value")!,
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("Contested v2", (await LoadAsync(project.Id))?.Name);
        var again = await browser.GetDocumentAsync(response.Headers.Location!.OriginalString);
        Assert.Contains("it was not deleted", again.QuerySelector("[role=status]")?.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Editing_saves_the_fields()
    {
        var user = await portal.CreateUserAsync();
        var project = await CreateAsync(user, "Draft");
        var browser = await portal.CreateSignedInBrowserAsync(user);
        var form = await browser.GetDocumentAsync($"/Projects/Edit/{project.Id}");
        Assert.Equal("Draft", form.QuerySelector("#Input_Name")?.GetAttribute("value"));
        Assert.Equal("web", form.QuerySelector("#Input_Tags")?.GetAttribute("value"));

        var response = await browser.PostFormAsync($"/Projects/Edit/{project.Id}", new Dictionary<string, string>
        {
            ["Input.Name"] = "Final",
            ["Input.Description"] = "Now with a description",
            ["Input.Tags"] = "web, launch",
            ["Input.Status"] = "Archived",
            ["Version"] = form.QuerySelector("input[name=Version]")!.GetAttribute("value")!,
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var saved = await LoadAsync(project.Id);
        Assert.Equal("Final", saved?.Name);
        Assert.Equal("Now with a description", saved?.Description);
        Assert.Equal(["web", "launch"], saved?.Tags);
        Assert.Equal(ProjectStatus.Archived, saved?.Status);
        Assert.Equal(2, saved?.Version);
    }

    [Fact]
    public async Task Editing_a_stale_version_shows_the_conflict_and_saves_nothing()
    {
        var user = await portal.CreateUserAsync();
        var project = await CreateAsync(user, "Shared doc");
        var browser = await portal.CreateSignedInBrowserAsync(user);
        var form = await browser.GetDocumentAsync($"/Projects/Edit/{project.Id}");
        await portal.WithScopeAsync(sp => sp.GetRequiredService<ProjectService>().UpdateAsync(user.Actor, project.Id, 1, new ProjectInput("Their change", null, null, null), CancellationToken.None));

        var response = await browser.PostFormAsync($"/Projects/Edit/{project.Id}", new Dictionary<string, string>
        {
            ["Input.Name"] = "My change",
            ["Input.Status"] = "Active",
            ["Version"] = form.QuerySelector("input[name=Version]")!.GetAttribute("value")!,
        });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var page = await Forms.ParseAsync(response);
        var conflict = page.QuerySelector("[data-testid=conflict]");
        Assert.NotNull(conflict);
        Assert.Contains("Your changes were not saved", conflict.TextContent, StringComparison.Ordinal);
        Assert.Equal("My change", page.QuerySelector("#Input_Name")?.GetAttribute("value")); // what they typed is still there to copy
        var saved = await LoadAsync(project.Id);
        Assert.Equal("Their change", saved?.Name);
        Assert.Equal(2, saved?.Version);
    }

    [Fact]
    public async Task Editing_with_an_empty_name_shows_the_message_and_saves_nothing()
    {
        var user = await portal.CreateUserAsync();
        var project = await CreateAsync(user, "Keep me");
        var browser = await portal.CreateSignedInBrowserAsync(user);

        var response = await browser.PostFormAsync($"/Projects/Edit/{project.Id}", new Dictionary<string, string>
        {
            ["Input.Name"] = "",
            ["Input.Status"] = "Active",
            ["Version"] = "1",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Name is required.", (await Forms.ParseAsync(response)).FieldError("Input.Name"));
        Assert.Equal("Keep me", (await LoadAsync(project.Id))?.Name);
    }

    public static TheoryData<string, string> Forms_without_antiforgery() => new()
    {
        { "create project", "/Projects/Create" },
        { "edit project", "/Projects/Edit/{id}" },
        { "delete project", "/Projects/Delete/{id}" },
        { "archive project", "/Projects?handler=Archive&id={id}&version=1" },
        { "create token", "/Account/Tokens?handler=Create" },
        { "start a job", "/Jobs?handler=RecomputeStatistics" },
        { "sign out", "/Account/Logout" },
    };

    [Theory]
    [MemberData(nameof(Forms_without_antiforgery))]
    public async Task A_portal_POST_without_the_antiforgery_token_answers_400_and_writes_nothing(string form, string url)
    {
        var user = await portal.CreateUserAsync();
        var project = await CreateAsync(user, "Protected");
        var browser = await portal.CreateSignedInBrowserAsync(user);
        await browser.GetDocumentAsync("/Projects"); // the antiforgery cookie is there, only the form token is missing
        var fields = new Dictionary<string, string>
        {
            ["Input.Name"] = "Forged",
            ["Input.Status"] = "Archived",
            ["Version"] = "1",
            ["version"] = "1",
        };

        var response = await browser.PostAsync(url.Replace("{id}", project.Id.ToString(), StringComparison.Ordinal), new FormUrlEncodedContent(fields));

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{form} answered {(int)response.StatusCode}");
        var after = await LoadAsync(project.Id);
        Assert.Equal("Protected", after?.Name);
        Assert.Equal(ProjectStatus.Active, after?.Status);
        Assert.Equal(1, await CountAsync(user));
        Assert.Equal(1, await portal.WithDbAsync(db => db.ApiTokens.CountAsync(t => t.UserId == user.Id, TestContext.Current.CancellationToken)));
        Assert.Equal(0, await portal.WithDbAsync(db => db.JobRuns.CountAsync(r => r.RequestedById == user.Id, TestContext.Current.CancellationToken)));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/Projects")).StatusCode); // still signed in
    }

    [Fact]
    public async Task An_htmx_POST_carries_its_antiforgery_token_in_a_header()
    {
        var user = await portal.CreateUserAsync();
        var project = await CreateAsync(user, "Via htmx");
        var browser = await portal.CreateSignedInBrowserAsync(user);
        var page = await browser.GetDocumentAsync("/Projects");
        // The layout hands htmx the token for every request it makes (hx-headers on <body>).
        var headers = System.Text.Json.JsonDocument.Parse(page.Body!.GetAttribute("hx-headers")!).RootElement;
        var token = headers.GetProperty("RequestVerificationToken").GetString();

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/Projects?handler=Archive&id={project.Id}&version=1") { Content = new FormUrlEncodedContent([]) };
        request.Headers.Add("HX-Request", "true");
        request.Headers.Add("RequestVerificationToken", token);
        var response = await browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(ProjectStatus.Archived, (await LoadAsync(project.Id))?.Status);
    }
}
