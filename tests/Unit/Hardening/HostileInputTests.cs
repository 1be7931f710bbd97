using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Catalyst.Tests.Unit.Infrastructure;

namespace Catalyst.Tests.Unit.Hardening;

/// <summary>A write endpoint of the hostile-input table and a body it accepts, from which the hostile variants are made.</summary>
/// <param name="FreeForm">The body is (or holds) a JSON document the user owns: any well-formed JSON value is data there, so only
/// what is not well-formed JSON (or not UTF-8, or not well-formed UTF-16) is refused.</param>
/// <param name="OptionalBody">Without a body the endpoint uses its defaults, so an empty body is not hostile there.</param>
/// <param name="DataStrings">Its first string is the user's own data (item data, a preference), where any well-formed text, NUL included, is content.</param>
/// <param name="NoStrings">The body has no string value for the string attacks to go into.</param>
/// <param name="ItemErrors">A batch: a bad item is refused inside a 200 (its <c>errors</c>), nothing of it written.</param>
public sealed record WriteTarget(string Method, Func<HostileStage, string> Url, Func<HostileStage, string> ValidBody, bool AsAdmin = false,
    bool Anonymous = false, bool NeedsETag = false, string ContentType = "application/json", bool FreeForm = false, bool ItemErrors = false, bool OptionalBody = false, bool NoStrings = false, bool DataStrings = false);

/// <summary>
/// SPEC §4 and §16 under hostile input: every JSON write endpoint receives every kind of bad body a
/// client, a fuzzer or an attacker sends — malformed and truncated JSON, wrong types, nesting
/// 10,000 deep, 100 MB strings, huge numbers, invalid UTF-8, lone surrogates, NUL bytes, duplicate
/// keys, the wrong media type, oversized headers — and must answer a 4xx problem+json with a stable
/// code, never a 500, and leave every table (the blob index included) exactly as it was.
/// </summary>
public partial class HostileInputTests(HostileStage stage) : IClassFixture<HostileStage>
{
    public static readonly Dictionary<string, WriteTarget> Targets = new()
    {
        ["auth token"] = new("POST", _ => "/api/auth/token", _ => """{"email":"hostile@test.local","password":"Some-Pass-123!","name":"hostile"}""", Anonymous: true),
        ["project create"] = new("POST", _ => "/api/projects", _ => """{"name":"Valid project","description":"A description","tags":["a","b"]}"""),
        ["project update"] = new("PUT", s => $"/api/projects/{s.Project}", _ => """{"name":"Valid project","description":"A description","tags":["a"]}""", NeedsETag: true),
        ["website create"] = new("POST", _ => "/api/websites", _ => """{"name":"Valid site","description":"A site","category":"blog"}"""),
        ["website update"] = new("PUT", s => $"/api/websites/{s.Website.Id}", _ => """{"name":"Hostile site","description":"A site","category":"blog"}""", NeedsETag: true),
        ["content type create"] = new("POST", s => $"/api/websites/{s.Website.Id}/content-types", _ => """{"name":"Article","fields":[{"name":"title","type":"text","required":true}]}"""),
        ["content type update"] = new("PUT", s => $"/api/websites/{s.Website.Id}/content-types/{s.Website.Spare.Id}", _ => """{"name":"Spare","fields":[{"name":"title","type":"text"}]}""", NeedsETag: true),
        ["content item create"] = new("POST", s => $"/api/websites/{s.Website.Id}/content-items", s => $$"""{"contentTypeId":"{{s.Website.Type.Id}}","data":{"title":"Hello"},"status":"draft"}"""),
        ["content item update"] = new("PUT", s => $"/api/websites/{s.Website.Id}/content-items/{s.Website.Item.Id}", _ => """{"data":{"title":"Hello again"},"status":"draft"}""", NeedsETag: true, DataStrings: true),
        ["website data put"] = new("PUT", s => $"/api/websites/{s.Website.Id}/data", _ => """{"content":{"title":"Put","pages":[1,2]}}""", NeedsETag: true, FreeForm: true),
        ["website data patch"] = new("PATCH", s => $"/api/websites/{s.Website.Id}/data", _ => """{"content":{"title":"Patched"}}""", NeedsETag: true, FreeForm: true, ContentType: "application/merge-patch+json"),
        ["preferences"] = new("PUT", _ => "/api/me/preferences", _ => """{"preferences":{"theme":"dark","pageSize":20}}""", DataStrings: true),
        ["chat session create"] = new("POST", _ => "/api/chat/sessions", _ => """{"title":"A chat"}"""),
        ["chat session patch"] = new("PATCH", s => $"/api/chat/sessions/{s.Session}", _ => """{"title":"Renamed chat"}""", ContentType: "application/merge-patch+json"),
        ["chat batch"] = new("POST", _ => "/api/chat/messages/batch", s => $$"""{"messages":[{"clientId":"hostile-1","sessionId":"{{s.Session}}","role":"user","content":"Hello","createdAt":"2026-01-01T00:00:00Z"}]}""", ItemErrors: true),
        ["presign"] = new("POST", _ => "/api/assets/presign", s => $$"""{"operation":"download","assetIds":["{{s.Asset}}"]}"""),
        ["publish"] = new("POST", s => $"/api/projects/{s.Project}/publish", _ => """{"price":0,"currency":"EUR","category":"templates"}"""),
        ["review create"] = new("POST", s => $"/api/marketplace/projects/{s.Bought}/reviews", _ => """{"rating":4,"title":"Good","body":"A good project"}"""),
        ["review update"] = new("PUT", s => $"/api/marketplace/reviews/{s.Review}", _ => """{"rating":3,"title":"Fine","body":"A fine project"}"""),
        ["website export"] = new("POST", s => $"/api/websites/{s.Website.Id}/exports", _ => """{"gzip":true}""", OptionalBody: true, NoStrings: true),
        ["website import"] = new("POST", _ => "/api/websites/import", _ => """{"uploadId":"0199a2b4-0000-7000-8000-000000000000"}"""),
        ["deployment config create"] = new("POST", s => $"/api/websites/{s.Website.Id}/deployment-configs", _ => """{"name":"Deploy","provider":"webhook","endpoint":"https://deploy.example.com/hook","credential":"credential-123456"}"""),
        ["deployment config update"] = new("PUT", s => $"/api/deployment-configs/{s.Website.Deployment}", _ => """{"name":"Production","provider":"webhook","endpoint":"https://deploy.example.com/hook"}""", NeedsETag: true),
        ["admin user create"] = new("POST", _ => "/api/admin/users", _ => """{"email":"new-hostile@test.local","password":"New-Pass-123!","roles":["User"]}""", AsAdmin: true),
        ["admin user update"] = new("PUT", s => $"/api/admin/users/{s.Owner.Id}", _ => """{"roles":["User"],"disabled":false}""", AsAdmin: true),
        ["feature create"] = new("POST", _ => "/api/admin/features", _ => """{"name":"hostile.other","description":"A flag","state":"off"}""", AsAdmin: true),
        ["feature update"] = new("PUT", s => $"/api/admin/features/{s.Flag}", _ => """{"description":"A flag","state":"off"}""", AsAdmin: true, NeedsETag: true),
        ["mcp server create"] = new("POST", _ => "/api/admin/mcp-servers", _ => """{"name":"Another MCP","transport":"http","endpoint":"https://mcp.example.com/other"}""", AsAdmin: true),
        ["mcp server update"] = new("PUT", s => $"/api/admin/mcp-servers/{s.McpServer}", _ => """{"name":"Hostile MCP","transport":"http","endpoint":"https://mcp.example.com/mcp"}""", AsAdmin: true, NeedsETag: true),
        ["mcp credential"] = new("PUT", s => $"/api/admin/mcp-servers/{s.McpServer}/credential", _ => """{"value":"a-credential-123"}""", AsAdmin: true),
    };

    /// <summary>A hostile body: from the valid one, its text, and the media type to send it as (null: the target's).</summary>
    private sealed record Variant(Func<string, byte[]> Body, string? ContentType = null, long? DeclaredLength = null);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [GeneratedRegex("[:\\[,]\\s*\"([^\"]*)\"(?!\\s*:)")]
    private static partial Regex FirstStringProperty();

    /// <summary>Replaces the first string value (a property's or an array member's) with <paramref name="raw"/> (JSON text, quotes included).</summary>
    private static string WithFirstString(string valid, string raw)
    {
        var value = FirstStringProperty().Match(valid).Groups[1];
        Assert.True(value.Success, $"no string value in {valid}");
        return valid[..(value.Index - 1)] + raw + valid[(value.Index + value.Length + 1)..];
    }

    /// <summary>Every top-level property set to <paramref name="raw"/>.</summary>
    private static string WithEveryProperty(string valid, string raw)
    {
        using var doc = JsonDocument.Parse(valid);
        return "{" + string.Join(',', doc.RootElement.EnumerateObject().Select(p => $"\"{p.Name}\":{raw}")) + "}";
    }

    /// <summary>The text with its <c>%INVALID%</c> marker replaced by bytes that are not UTF-8.</summary>
    private static byte[] InvalidUtf8(string text)
    {
        var at = text.IndexOf("%INVALID%", StringComparison.Ordinal);
        return [.. Utf8(text[..at]), 0xC3, 0x28, 0xFF, 0xFE, .. Utf8(text[(at + "%INVALID%".Length)..])];
    }

    private static readonly Dictionary<string, Variant> Variants = new()
    {
        ["malformed JSON"] = new(v => Utf8(v.Replace(":", "::", StringComparison.Ordinal))),
        ["truncated JSON"] = new(v => Utf8(v[..(v.Length / 2)])),
        ["not JSON at all"] = new(_ => Utf8("name=hostile&x=1")),
        ["an empty body"] = new(_ => []),
        ["an array instead of an object"] = new(v => Utf8($"[{v}]")),
        ["a bare string"] = new(_ => Utf8("\"hostile\"")),
        ["wrong types everywhere"] = new(v => Utf8(WithEveryProperty(v, "[1,{\"x\":true}]"))),
        ["nesting 10,000 deep in a property"] = new(v => Utf8(WithFirstString(v, new string('[', 10_000) + new string(']', 10_000)))),
        ["nesting 10,000 deep at the root"] = new(_ => Utf8(string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000))),
        ["a number too large for any type"] = new(v => Utf8(WithEveryProperty(v, "1e400"))),
        ["a 40-digit integer"] = new(v => Utf8(WithEveryProperty(v, "1234567890123456789012345678901234567890"))),
        ["negative sizes and counts"] = new(v => Utf8(WithEveryProperty(v, "-1"))),
        ["invalid UTF-8"] = new(v => InvalidUtf8(WithFirstString(v, "\"ab%INVALID%cd\""))),
        ["a lone surrogate"] = new(v => Utf8(WithFirstString(v, "\"bad \\ud800 text\""))),
        ["a NUL in a name"] = new(v => Utf8(WithFirstString(v, "\"..\\/..\\/etc\\/passwd\\u0000.txt\""))),
        ["duplicate keys"] = new(v => Utf8(v.Insert(1, v[1..^1] + ","))),
        ["the wrong media type"] = new(v => Utf8(v), ContentType: "text/plain"),
        ["a 100 MB string"] = new(_ => [], DeclaredLength: 100L * 1024 * 1024),
    };

    /// <summary>Variants that are well-formed JSON values: data, not an attack, where the body is the user's own document.</summary>
    private static readonly HashSet<string> WellFormedData =
        ["wrong types everywhere", "a number too large for any type", "a 40-digit integer", "negative sizes and counts", "a lone surrogate", "a NUL in a name"];

    /// <summary>Variants that attack a string value; a body without one has nothing for them to attack.</summary>
    private static readonly HashSet<string> StringVariants = ["invalid UTF-8", "a lone surrogate", "a NUL in a name", "nesting 10,000 deep in a property"];

    private static bool HasString(WriteTarget target) => !target.NoStrings;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var (target, declared) in Targets)
            foreach (var variant in Variants.Keys.Where(v => !declared.FreeForm || !WellFormedData.Contains(v)))
            {
                if ((declared.OptionalBody && variant == "an empty body") || (StringVariants.Contains(variant) && !HasString(declared))
                    || (declared.DataStrings && variant == "a NUL in a name"))
                    continue;
                data.Add(target, variant);
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_hostile_body_is_refused_with_a_problem_and_changes_nothing(string target, string variant)
    {
        var declared = Targets[target];
        var hostile = Variants[variant];
        var client = stage.Api(declared.Anonymous ? null : declared.AsAdmin ? stage.Admin : stage.Owner);
        var url = declared.Url(stage);
        var etag = declared.NeedsETag ? await CurrentETagAsync(client, url) : null;
        var before = await stage.CountRowsAsync();

        using var request = new HttpRequestMessage(new HttpMethod(declared.Method), url);
        // As HTTP clients do for large bodies: the server's 413 comes back before the body is sent.
        request.Headers.ExpectContinue = hostile.DeclaredLength is not null;
        request.Content = hostile.DeclaredLength is { } length
            ? new StreamContent(new PatternStream(length, declared.ValidBody(stage)))
            : new ByteArrayContent(hostile.Body(declared.ValidBody(stage)));
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(hostile.ContentType ?? declared.ContentType);
        if (hostile.DeclaredLength is { } declaredLength)
            request.Content.Headers.ContentLength = declaredLength;
        if (etag is not null)
            request.Headers.TryAddWithoutValidation("If-Match", etag);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        if (declared.ItemErrors && status == 200)
        {
            using var batch = JsonDocument.Parse(body);
            var data = batch.RootElement.GetProperty("data");
            Assert.True(data.GetProperty("created").GetInt32() == 0 && data.GetProperty("errors").GetArrayLength() > 0,
                $"{target} with {variant} was taken: {Excerpt(body)}");
            await AssertUnchangedAsync(before, target, variant, status);
            return;
        }
        Assert.True(status is >= 400 and < 500, $"{target} with {variant} answered {status}: {Excerpt(body)}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using (var problem = JsonDocument.Parse(body))
            Assert.True(problem.RootElement.TryGetProperty("code", out var code) && code.GetString() is { Length: > 0 },
                $"{target} with {variant}: the problem has no code: {Excerpt(body)}");
        await AssertUnchangedAsync(before, target, variant, status);
    }

    private async Task AssertUnchangedAsync(Dictionary<string, long> before, string target, string variant, int status)
    {
        var after = await stage.CountRowsAsync();
        var changed = after.Where(t => before.GetValueOrDefault(t.Key) != t.Value).Select(t => $"{t.Key} {before.GetValueOrDefault(t.Key)}→{t.Value}").ToList();
        Assert.True(changed.Count == 0, $"{target} with {variant} ({status}) changed rows: {string.Join(", ", changed)}");
    }

    private static async Task<string?> CurrentETagAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"GET {url} answered {(int)response.StatusCode}");
        return response.Headers.ETag?.ToString();
    }

    private static string Excerpt(string body) => body.Length <= 300 ? body : body[..300] + "…";

    /// <summary>A JSON body as long as asked: the valid body with its first string padded, produced as it is read, never held in memory.</summary>
    private sealed class PatternStream(long length, string valid) : Stream
    {
        private readonly byte[] _head = Utf8(valid[..(FirstStringProperty().Match(valid) is { Success: true } m ? m.Groups[1].Index : 1)]);
        private long _position;

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            for (var i = 0; i < n; i++)
            {
                var at = _position + i;
                buffer[offset + i] = at < _head.Length ? _head[at] : at == length - 2 ? (byte)'"' : at == length - 1 ? (byte)'}' : (byte)'x';
            }
            _position += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
