using System.Net;
using System.Text.Json;
using Catalyst.Data.Websites;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Websites;

/// <summary>Content types (the field-schema editor) and content items (forms generated from a type) on the portal.</summary>
public class ContentPageTests(PortalFactory portal)
{
    private Task<List<ContentType>> TypesAsync(Guid websiteId) =>
        portal.WithDbAsync(db => db.Set<ContentType>().AsNoTracking().Where(t => t.WebsiteId == websiteId).ToListAsync(TestContext.Current.CancellationToken));

    private Task<List<ContentItem>> ItemsAsync(Guid websiteId) =>
        portal.WithDbAsync(db => db.Set<ContentItem>().AsNoTracking().Where(i => i.WebsiteId == websiteId).ToListAsync(TestContext.Current.CancellationToken));

    [Fact]
    public async Task The_schema_editor_round_trips_a_content_type_and_grows_rows_without_javascript()
    {
        var user = await portal.CreateUserAsync();
        var website = await portal.CreateWebsiteAsync(user, "Blog");
        var browser = await portal.CreateSignedInBrowserAsync(user);
        var url = $"/Websites/{website.Id}/types";
        var blank = await browser.GetDocumentAsync(url);
        Assert.Single(blank.QuerySelectorAll("[data-testid=field-row]"));
        Assert.Equal(7, blank.QuerySelectorAll("#Input_Fields_0_Type option").Length);

        // "Add a field" without JavaScript posts back what was typed and adds an empty row; nothing is saved.
        var grown = await Forms.ParseAsync(await browser.PostFormAsync(url, new Dictionary<string, string>
        {
            ["Input.Name"] = "Blog post",
            ["Input.Fields.Index"] = "0",
            ["Input.Fields[0].Name"] = "title",
            ["Input.Fields[0].Type"] = "text",
            ["Input.Fields[0].Required"] = "true",
        }, url + "?handler=AddField"));
        Assert.Equal(2, grown.QuerySelectorAll("[data-testid=field-row]").Length);
        Assert.Equal("title", grown.QuerySelector("#Input_Fields_0_Name")?.GetAttribute("value"));
        Assert.True(grown.QuerySelector("#Input_Fields_0_Required")?.HasAttribute("checked"));
        Assert.Equal("Blog post", grown.QuerySelector("#Input_Name")?.GetAttribute("value"));
        Assert.Empty(await TypesAsync(website.Id));

        // Rows fetched by htmx carry keys of their own (explicit indexes), in any order.
        var response = await browser.PostFormAsync(url, new Dictionary<string, string>
        {
            ["Input.Name"] = "Blog post",
            ["Input.Slug"] = "",
            ["Input.Fields.Index"] = "0",
            ["Input.Fields[0].Name"] = "title",
            ["Input.Fields[0].Label"] = "Title",
            ["Input.Fields[0].Type"] = "text",
            ["Input.Fields[0].MaxLength"] = "120",
            ["Input.Fields[0].Required"] = "true",
        }.Concat(Row("nab12", "tags", "list", of: "number")).Concat(Row("nzz99", "related", "reference")).Concat(Row("n0gone", "dropped", "date", remove: true))
         .Concat(Row("n1", "", "text")));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var type = Assert.Single(await TypesAsync(website.Id));
        Assert.Equal("blog-post", type.Slug);
        Assert.Equal(
            [new ContentField("title", "text", true, null, 120, "Title"), new ContentField("tags", "list", false, "number"), new ContentField("related", "reference")],
            ContentSchema.Parse(type.Fields));

        var edit = await browser.GetDocumentAsync($"{url}/{type.Id}");
        Assert.Equal(3, edit.QuerySelectorAll("[data-testid=field-row]").Length);
        Assert.Equal("tags", edit.QuerySelector("#Input_Fields_1_Name")?.GetAttribute("value"));
        Assert.Equal("number", edit.QuerySelector("#Input_Fields_1_Of option[selected]")?.GetAttribute("value"));
        Assert.Equal("120", edit.QuerySelector("#Input_Fields_0_MaxLength")?.GetAttribute("value"));
        Assert.Equal("reference", edit.QuerySelector("#Input_Fields_2_Type option[selected]")?.GetAttribute("value"));
        Assert.Equal("1", edit.QuerySelector("input[name=Version]")?.GetAttribute("value"));
    }

    private static Dictionary<string, string> Row(string key, string name, string type, string? of = null, bool remove = false)
    {
        var row = new Dictionary<string, string>
        {
            ["Input.Fields.Index"] = key,
            [$"Input.Fields[{key}].Name"] = name,
            [$"Input.Fields[{key}].Type"] = type,
        };
        if (of is not null) row[$"Input.Fields[{key}].Of"] = of;
        if (remove) row[$"Input.Fields[{key}].Remove"] = "true";
        return row;
    }

    [Fact]
    public async Task With_htmx_add_a_field_fetches_one_new_row_under_a_fresh_key()
    {
        var user = await portal.CreateUserAsync();
        var website = await portal.CreateWebsiteAsync(user, "Rows");
        var browser = await portal.CreateSignedInBrowserAsync(user);
        var page = await browser.GetDocumentAsync($"/Websites/{website.Id}/types");
        Assert.Equal($"/Websites/{website.Id}/types?handler=Field", page.QuerySelector("[data-testid=add-field]")?.GetAttribute("hx-get"));

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/Websites/{website.Id}/types?handler=Field");
        request.Headers.Add("HX-Request", "true");
        var first = await (await browser.SendAsync(request)).Content.ReadAsStringAsync();
        var second = await browser.GetStringAsync($"/Websites/{website.Id}/types?handler=Field", TestContext.Current.CancellationToken);

        Assert.StartsWith("<tr class=\"field-row\"", first.Trim(), StringComparison.Ordinal);
        var keyOf = (string html) => System.Text.RegularExpressions.Regex.Match(html, "name=\"Input.Fields.Index\" value=\"(\\w+)\"").Groups[1].Value;
        Assert.NotEqual(keyOf(first), keyOf(second));
        Assert.Contains($"name=\"Input.Fields[{keyOf(first)}].Name\"", first, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Schema_errors_are_shown_next_to_the_row_they_concern_and_nothing_is_saved()
    {
        var user = await portal.CreateUserAsync();
        var website = await portal.CreateWebsiteAsync(user, "Errors");
        var browser = await portal.CreateSignedInBrowserAsync(user);
        var url = $"/Websites/{website.Id}/types";

        var response = await browser.PostFormAsync(url, new[] { Row("a", "title", "text"), Row("b", "title", "number"), Row("c", "9lives", "text") }
            .SelectMany(r => r).Append(new("Input.Name", "Post")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await Forms.ParseAsync(response);
        Assert.Equal("The field name 'title' is used twice.", page.FieldError("Input.Fields[1].Name"));
        Assert.StartsWith("Field names start with a letter", page.FieldError("Input.Fields[2].Name"), StringComparison.Ordinal);
        Assert.Equal("true", page.QuerySelector("#Input_Fields_1_Name")?.GetAttribute("aria-invalid"));
        Assert.Equal("number", page.QuerySelector("#Input_Fields_1_Type option[selected]")?.GetAttribute("value"));
        Assert.Empty(await TypesAsync(website.Id));
    }

    [Fact]
    public async Task Row_indexes_without_inputs_are_ignored_rather_than_failing_the_page()
    {
        var user = await portal.CreateUserAsync();
        var website = await portal.CreateWebsiteAsync(user, "Odd rows");
        var browser = await portal.CreateSignedInBrowserAsync(user);
        var url = $"/Websites/{website.Id}/types";

        var added = await browser.PostFormAsync(url, new Dictionary<string, string> { ["Input.Name"] = "Post", ["Input.Fields.Index"] = "ghost" }, url + "?handler=AddField");
        var saved = await browser.PostFormAsync(url, new Dictionary<string, string> { ["Input.Name"] = "Post", ["Input.Fields.Index"] = "ghost" });

        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal("[]", Assert.Single(await TypesAsync(website.Id)).Fields);
    }

    [Fact]
    public async Task Deleting_a_type_that_has_items_says_to_delete_its_items_first()
    {
        var user = await portal.CreateUserAsync();
        var site = await portal.CreateFullWebsiteAsync(user);
        var browser = await portal.CreateSignedInBrowserAsync(user);
        var tab = $"/Websites/Details/{site.Id}?tab=types";

        var refused = await browser.PostWithTokenFromAsync(tab, $"/Websites/Details/{site.Id}?handler=DeleteType&typeId={site.Type.Id}");
        var message = (await browser.GetDocumentAsync(refused.Headers.Location!.OriginalString)).QuerySelector("[role=status]")?.TextContent;
        var deleted = await browser.PostWithTokenFromAsync(tab, $"/Websites/Details/{site.Id}?handler=DeleteType&typeId={site.Spare.Id}");

        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Equal("“Post” still has items: delete its items first.", message?.Trim());
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        Assert.Equal([site.Type.Id], (await TypesAsync(site.Id)).Select(t => t.Id));
    }

    private async Task<(TestUser User, HttpClient Browser, FullWebsite Site, ContentType Rich)> RichTypeAsync()
    {
        var user = await portal.CreateUserAsync();
        var site = await portal.CreateFullWebsiteAsync(user);
        var rich = await portal.CreateTypeAsync(user, site.Id, "Event",
            new ContentField("name", FieldTypes.Text, Required: true, Label: "Event name"),
            new ContentField("summary", FieldTypes.RichText),
            new ContentField("seats", FieldTypes.Number, Required: true),
            new ContentField("free", FieldTypes.Boolean),
            new ContentField("on", FieldTypes.Date),
            new ContentField("post", FieldTypes.Reference),
            new ContentField("tags", FieldTypes.List, Of: FieldTypes.Text),
            new ContentField("prices", FieldTypes.List, Of: FieldTypes.Number));
        return (user, await portal.CreateSignedInBrowserAsync(user), site, rich);
    }

    [Fact]
    public async Task The_item_form_has_an_input_for_each_field_type()
    {
        var (_, browser, site, rich) = await RichTypeAsync();

        var form = await browser.GetDocumentAsync($"/Websites/{site.Id}/items?type={rich.Id}");

        Assert.Equal("New Event item", form.QuerySelector("h1")?.TextContent);
        Assert.Contains("Event name *", form.QuerySelector("label[for=Values_name]")?.TextContent, StringComparison.Ordinal);
        Assert.Equal("textarea", form.QuerySelector("[name='Values[summary]']")?.LocalName);
        Assert.Equal("number", form.QuerySelector("[name='Values[seats]']")?.GetAttribute("type"));
        Assert.Equal("checkbox", form.QuerySelector("[name='Values[free]']")?.GetAttribute("type"));
        Assert.Equal("date", form.QuerySelector("[name='Values[on]']")?.GetAttribute("type"));
        var references = form.QuerySelectorAll("select[name='Values[post]'] option").Select(o => o.GetAttribute("value")).ToList();
        Assert.Equal(["", site.Item.Id.ToString()], references);
        Assert.Contains("Hello world", form.QuerySelector("select[name='Values[post]']")?.TextContent, StringComparison.Ordinal);
        Assert.Equal("textarea", form.QuerySelector("[name='Values[tags]']")?.LocalName);
        Assert.NotNull(form.QuerySelector("select[name=Status] option[value=Published]"));
    }

    [Fact]
    public async Task An_item_that_fails_validation_shows_each_message_next_to_its_field_and_writes_nothing()
    {
        var (_, browser, site, rich) = await RichTypeAsync();
        var before = await ItemsAsync(site.Id);

        var response = await browser.PostFormAsync($"/Websites/{site.Id}/items?type={rich.Id}", new Dictionary<string, string>
        {
            ["type"] = rich.Id.ToString(),
            ["Values[name]"] = "   ",
            ["Values[summary]"] = "Keep what I typed",
            ["Values[seats]"] = "",
            ["Values[on]"] = "not a date",
            ["Values[prices]"] = "10\nfree",
            ["Status"] = "Published",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await Forms.ParseAsync(response);
        Assert.Equal("Event name is required.", page.FieldError("Values[name]"));
        Assert.Equal("seats is required.", page.FieldError("Values[seats]"));
        Assert.Equal("Must be an ISO 8601 date.", page.FieldError("Values[on]"));
        Assert.Equal("Each entry: Must be a number.", page.FieldError("Values[prices]"));
        Assert.Equal("", page.FieldError("Values[summary]"));
        Assert.Equal("true", page.QuerySelector("[name='Values[seats]']")?.GetAttribute("aria-invalid"));
        Assert.Equal("Keep what I typed", page.QuerySelector("[name='Values[summary]']")?.TextContent);
        Assert.Equal("text", page.QuerySelector("[name='Values[on]']")?.GetAttribute("type")); // not a date: kept visible as typed
        Assert.Equal("Published", page.QuerySelector("select[name=Status] option[selected]")?.GetAttribute("value"));
        Assert.Equal(before.Count, (await ItemsAsync(site.Id)).Count);
    }

    [Fact]
    public async Task A_valid_item_is_saved_as_typed_json_and_its_form_shows_it_back()
    {
        var (_, browser, site, rich) = await RichTypeAsync();

        var response = await browser.PostFormAsync($"/Websites/{site.Id}/items?type={rich.Id}", new Dictionary<string, string>
        {
            ["type"] = rich.Id.ToString(),
            ["Values[name]"] = "Launch party",
            ["Values[summary]"] = "<b>Bring</b> friends",
            ["Values[seats]"] = "40",
            ["Values[free]"] = "true",
            ["Values[on]"] = "2026-05-01",
            ["Values[post]"] = site.Item.Id.ToString(),
            ["Values[tags]"] = "music\r\n\r\n  food \r\n",
            ["Values[prices]"] = "0\n12.50",
            ["Status"] = "Published",
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var item = (await ItemsAsync(site.Id)).Single(i => i.ContentTypeId == rich.Id);
        Assert.Equal(ContentItemStatus.Published, item.Status);
        var data = JsonDocument.Parse(item.Data).RootElement;
        Assert.Equal("Launch party", data.GetProperty("name").GetString());
        Assert.Equal(40, data.GetProperty("seats").GetInt32());
        Assert.True(data.GetProperty("free").GetBoolean());
        Assert.Equal("2026-05-01", data.GetProperty("on").GetString());
        Assert.Equal(site.Item.Id, data.GetProperty("post").GetGuid());
        Assert.Equal(["music", "food"], data.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal([0m, 12.5m], data.GetProperty("prices").EnumerateArray().Select(p => p.GetDecimal()));

        var form = await browser.GetDocumentAsync($"/Websites/{site.Id}/items/{item.Id}");
        Assert.Equal("Edit Event item", form.QuerySelector("h1")?.TextContent);
        Assert.Equal("40", form.QuerySelector("[name='Values[seats]']")?.GetAttribute("value"));
        Assert.True(form.QuerySelector("[name='Values[free]']")?.HasAttribute("checked"));
        Assert.Equal(site.Item.Id.ToString(), form.QuerySelector("select[name='Values[post]'] option[selected]")?.GetAttribute("value"));
        Assert.Equal("music\nfood", form.QuerySelector("[name='Values[tags]']")?.TextContent);
        Assert.Equal("<b>Bring</b> friends", form.QuerySelector("[name='Values[summary]']")?.TextContent);

        var saved = await browser.PostFormAsync($"/Websites/{site.Id}/items/{item.Id}", new Dictionary<string, string>
        {
            ["Values[name]"] = "Launch party (moved)",
            ["Values[seats]"] = "45",
            ["Status"] = "Draft",
            ["Version"] = "1",
        });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var after = (await ItemsAsync(site.Id)).Single(i => i.Id == item.Id);
        Assert.Equal(ContentItemStatus.Draft, after.Status);
        Assert.Equal(45, JsonDocument.Parse(after.Data).RootElement.GetProperty("seats").GetInt32());
    }

    [Fact]
    public async Task The_items_tab_filters_by_type_and_status()
    {
        var user = await portal.CreateUserAsync();
        var site = await portal.CreateFullWebsiteAsync(user);
        var note = await portal.CreateTypeAsync(user, site.Id, "Note", new ContentField("text", FieldTypes.Text));
        await portal.CreateItemAsync(user, site.Id, note.Id, new { text = "Published note" }, ContentItemStatus.Published);
        await portal.CreateItemAsync(user, site.Id, note.Id, new { text = "Draft note" });
        var browser = await portal.CreateSignedInBrowserAsync(user);

        string[] Titles(AngleSharp.Html.Dom.IHtmlDocument page) =>
            page.QuerySelectorAll("[data-testid=items-table] tbody tr td:first-child").Select(td => td.TextContent.Trim()).Order().ToArray();

        Assert.Equal(["Draft note", "Hello world", "Published note"], Titles(await browser.GetDocumentAsync($"/Websites/Details/{site.Id}?tab=items")));
        Assert.Equal(["Draft note", "Published note"], Titles(await browser.GetDocumentAsync($"/Websites/Details/{site.Id}?tab=items&type={note.Id}")));
        Assert.Equal(["Published note"], Titles(await browser.GetDocumentAsync($"/Websites/Details/{site.Id}?tab=items&type={note.Id}&status=Published")));
        var none = await browser.GetDocumentAsync($"/Websites/Details/{site.Id}?tab=items&type={site.Type.Id}&status=Published");
        Assert.Equal("No item matches these filters.", none.QuerySelector("[data-testid=items-empty]")?.TextContent.Trim());
    }
}
