using System.Net;
using System.Text;
using Catalyst.Data.Audit;
using Catalyst.Data.Common;
using Catalyst.Portal.Infrastructure;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Audit;

/// <summary>The audit log page: sign-ins are in it, it filters by action, user and time, and exports what it selects as safe CSV.</summary>
public class AuditPageTests(PortalFactory portal)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<HttpClient> AdminBrowserAsync() => await portal.CreateSignedInBrowserAsync(await portal.CreateUserAsync("audit-page", admin: true));

    /// <summary>Reads RFC 4180 CSV: quoted cells may hold commas, doubled quotes and line breaks.</summary>
    private static List<List<string>> ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(cell.ToString()); cell.Clear(); }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                row.Add(cell.ToString()); cell.Clear();
                rows.Add(row); row = [];
                i++;
            }
            else cell.Append(c);
        }
        Assert.False(quoted, "The CSV ends inside a quoted cell.");
        Assert.True(cell.Length == 0 && row.Count == 0, "The CSV's last line has no line break.");
        return rows;
    }

    [Fact]
    public async Task Sign_ins_that_succeed_and_fail_are_recorded_for_the_portal_and_the_API_without_the_password()
    {
        var user = await portal.CreateUserAsync("signing-in");
        const string wrong = "Wrong-Typed-Password-42";

        await portal.CreateSignedInBrowserAsync(user);
        Assert.Equal(HttpStatusCode.OK, (await portal.CreateBrowser().SignInAsync(user.Email, wrong)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await portal.CreateApiClient().PostJsonAsync("/api/auth/token", new { email = user.Email, password = user.Password, name = "cli" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await portal.CreateApiClient().PostJsonAsync("/api/auth/token", new { email = user.Email, password = wrong, name = "cli" })).StatusCode);

        var entries = await portal.WithDbAsync(db => db.AuditEntries.AsNoTracking()
            .Where(e => e.EntityId == user.Id.ToString() && e.Action.StartsWith("signin.")).OrderBy(e => e.At).ToListAsync(Ct));
        Assert.Equal(
            [("signin.succeeded", "portal"), ("signin.failed", "portal"), ("signin.succeeded", "api"), ("signin.failed", "api")],
            entries.Select(e => (e.Action, System.Text.Json.JsonDocument.Parse(e.Details!).RootElement.GetProperty("channel").GetString())));
        Assert.All(entries, e =>
        {
            Assert.Equal((user.Id, user.Email, "User"), (e.ActorId, e.ActorEmail, e.EntityType));
            Assert.DoesNotContain(wrong, e.Details, StringComparison.Ordinal);
            Assert.DoesNotContain(user.Password, e.Details, StringComparison.Ordinal);
        });

        var page = await (await AdminBrowserAsync()).GetDocumentAsync($"/Admin/Audit?action=signin.&user={Uri.EscapeDataString(user.Email)}");
        var actions = page.QuerySelectorAll("#audit-list tbody tr td:nth-child(3)").Select(td => td.TextContent.Trim()).ToList();
        Assert.Equal(["signin.failed", "signin.succeeded", "signin.failed", "signin.succeeded"], actions); // newest first
    }

    [Fact]
    public async Task The_page_filters_by_action_user_and_time_and_a_reversed_range_is_explained_not_a_500()
    {
        var browser = await AdminBrowserAsync();
        var user = await portal.CreateUserAsync("filtered-signin");
        await portal.CreateSignedInBrowserAsync(user);
        var email = Uri.EscapeDataString(user.Email);
        var now = DateTime.UtcNow;

        var inRange = await browser.GetDocumentAsync($"/Admin/Audit?action=signin.&user={email}&from={now.AddHours(-1):yyyy-MM-ddTHH:mm}&to={now.AddHours(1):yyyy-MM-ddTHH:mm}");
        var otherAction = await browser.GetDocumentAsync($"/Admin/Audit?action=project.&user={email}&from={now.AddHours(-1):yyyy-MM-ddTHH:mm}");
        var later = await browser.GetDocumentAsync($"/Admin/Audit?action=signin.&user={email}&from={now.AddHours(1):yyyy-MM-ddTHH:mm}");
        var reversed = await browser.GetDocumentAsync($"/Admin/Audit?user={email}&from={now.AddHours(1):yyyy-MM-ddTHH:mm}&to={now.AddHours(-1):yyyy-MM-ddTHH:mm}");

        Assert.Equal("signin.succeeded", Assert.Single(inRange.QuerySelectorAll("#audit-list tbody tr")).QuerySelector("code")?.TextContent);
        Assert.Empty(otherAction.QuerySelectorAll("#audit-list tbody tr"));
        Assert.NotNull(later.QuerySelector("#audit-list .empty"));
        Assert.Contains("ends before it starts", reversed.QuerySelector("[data-testid=audit-filter-error]")?.TextContent, StringComparison.Ordinal);
        Assert.Equal("signin.", inRange.QuerySelector("select[name=action] option[selected]")?.GetAttribute("value"));
        var export = inRange.QuerySelector("[data-testid=export-csv]")?.GetAttribute("href");
        Assert.Contains("handler=Export", export, StringComparison.Ordinal);
        Assert.Contains($"user={email}", export, StringComparison.Ordinal);
        Assert.Contains("action=signin.", export, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_export_streams_the_filtered_entries_as_CSV_quoted_and_with_formulas_made_inert()
    {
        var action = $"csvprobe.{Guid.NewGuid():N}"[..30];
        var hostile = new Actor(Guid.NewGuid(), "+1 \"quoted\", and\nmore@test.local", false);
        var plain = new Actor(Guid.NewGuid(), "plain@test.local", false);
        await portal.WithScopeAsync(sp => sp.GetRequiredService<AuditLog>().WriteAsync(log =>
            log.Record(plain, action, "Probe", "first", new { note = "nothing odd" }), Ct));
        await portal.WithScopeAsync(sp => sp.GetRequiredService<AuditLog>().WriteAsync(log =>
            log.Record(hostile, action, "Probe", "=HYPERLINK(\"http://x\")", new { note = "a,\"b\"" }), Ct));
        var browser = await AdminBrowserAsync();

        var response = await browser.GetAsync($"/Admin/Audit?handler=Export&action={action}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Matches(@"^audit-\d{8}-\d{6}\.csv$", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var rows = ParseCsv((await response.Content.ReadAsStringAsync(Ct)).TrimStart('\uFEFF'));
        Assert.Equal(["at", "actorEmail", "actorId", "action", "entityType", "entityId", "details"], rows[0]);
        Assert.Equal(3, rows.Count); // the header and this action's two entries, nothing else
        var (newest, oldest) = (rows[1], rows[2]);
        Assert.Equal("'+1 \"quoted\", and\nmore@test.local", newest[1]);
        Assert.Equal(hostile.UserId.ToString(), newest[2]);
        Assert.Equal((action, "Probe"), (newest[3], newest[4]));
        Assert.Equal("'=HYPERLINK(\"http://x\")", newest[5]);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(new { note = "a,\"b\"" }, System.Text.Json.JsonSerializerOptions.Web), newest[6]);
        Assert.Equal(["plain@test.local", plain.UserId.ToString(), action, "Probe", "first", "{\"note\":\"nothing odd\"}"], oldest[1..]);
        Assert.True(DateTime.Parse(newest[0], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind)
            >= DateTime.Parse(oldest[0], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind));
    }

    [Fact]
    public async Task The_export_is_for_admins_only_and_a_reversed_range_goes_back_to_the_page()
    {
        var user = await portal.CreateSignedInBrowserAsync(await portal.CreateUserAsync("not-auditor"));
        var admin = await AdminBrowserAsync();

        var byUser = await user.GetAsync("/Admin/Audit?handler=Export");
        var anonymous = await portal.CreateBrowser().GetAsync("/Admin/Audit?handler=Export");
        var reversed = await admin.GetAsync("/Admin/Audit?handler=Export&from=2026-02-01T00:00&to=2026-01-01T00:00");

        Assert.Equal(HttpStatusCode.Forbidden, byUser.StatusCode);
        Forms.AssertRedirectsToSignIn(anonymous);
        Assert.Equal(HttpStatusCode.Redirect, reversed.StatusCode);
        Assert.StartsWith("/Admin/Audit?", reversed.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=Export", reversed.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("", "")]
    [InlineData(null, "")]
    [InlineData("=1+2", "'=1+2")]
    [InlineData("+41 22", "'+41 22")]
    [InlineData("-5", "'-5")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("=\"x\",y", "\"'=\"\"x\"\",y\"")]
    [InlineData("a=b", "a=b")]
    public void A_cell_is_made_inert_for_spreadsheets_then_quoted_when_needed(string? value, string written) =>
        Assert.Equal(written, CsvWriter.Cell(value));
}
