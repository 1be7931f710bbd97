using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Catalyst.Tests.Unit.Infrastructure;

namespace Catalyst.Tests.Unit.Foundation;

/// <summary>SPEC §4 cross-cutting HTTP behaviour: health, OpenAPI, compression, correlation ids.</summary>
public class HttpConventionsTests(PortalFactory portal)
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_endpoints_answer_200_with_JSON_without_a_token(string url)
    {
        var response = await portal.CreateApiClient().GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var json = await response.ReadJsonAsync();
        Assert.Equal("Healthy", json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readiness_reports_the_database_and_the_job_storage()
    {
        var json = await (await portal.CreateApiClient().GetAsync("/health/ready")).ReadJsonAsync();

        var checks = json.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("job-storage").GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_the_endpoints_with_the_Bearer_scheme()
    {
        var response = await portal.CreateApiClient().GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await response.ReadJsonAsync();
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/api/projects", "/api/projects/{id}", "/api/auth/token", "/api/jobs/{id}", "/api/admin/users" })
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from the OpenAPI document");
        Assert.True(paths.GetProperty("/api/projects").TryGetProperty("post", out var create));
        Assert.True(create.GetProperty("responses").TryGetProperty("201", out _));
        Assert.True(create.GetProperty("responses").TryGetProperty("400", out _));
        Assert.True(paths.GetProperty("/api/projects/{id}").GetProperty("put").GetProperty("responses").TryGetProperty("412", out _));
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        Assert.Contains(document.GetProperty("security").EnumerateArray(), requirement => requirement.TryGetProperty("Bearer", out _));
    }

    /// <summary>Success answers come from the handlers' typed results (no hand-kept <c>.Produces</c>): a few of each shape.</summary>
    public static TheoryData<string, string, string, string> SuccessResponses() => new()
    {
        { "get", "/api/projects", "200", "PageEnvelopeOfProjectDto" },
        { "post", "/api/projects", "201", "DataEnvelopeOfProjectDto" },
        { "get", "/api/projects/{id}", "200", "DataEnvelopeOfProjectDto" },
        { "post", "/api/projects/statistics", "202", "DataEnvelopeOfJobRunDto" },
        { "post", "/api/auth/token", "201", "DataEnvelopeOfIssuedToken" },
        { "get", "/api/chat/sessions/{id}/messages", "200", "CursorEnvelopeOfChatMessageDto" },
        { "get", "/api/websites/{id}", "200", "DataEnvelopeOfWebsiteDto" },
        { "put", "/api/websites/{id}/data", "200", "DataEnvelopeOfDataVersionDto" },
        { "put", "/api/admin/features/{name}", "200", "DataEnvelopeOfFeatureFlagDto" },
        { "put", "/api/admin/features/{name}", "201", "DataEnvelopeOfFeatureFlagDto" },
        { "get", "/api/search", "200", "SearchEnvelope" },
        { "get", "/api/marketplace/categories", "200", "DataEnvelopeOfMarketplaceVocabularyDto" },
    };

    [Theory]
    [MemberData(nameof(SuccessResponses))]
    public async Task The_OpenAPI_document_describes_each_success_response_with_its_schema(string method, string path, string status, string schema)
    {
        var document = await (await portal.CreateApiClient().GetAsync("/openapi/v1.json")).ReadJsonAsync();

        var responses = document.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("responses");
        Assert.True(responses.TryGetProperty(status, out var response), $"{method.ToUpperInvariant()} {path} does not list {status}");
        var reference = response.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString();
        Assert.Equal($"#/components/schemas/{schema}", reference);
        var properties = document.GetProperty("components").GetProperty("schemas").GetProperty(schema).GetProperty("properties");
        Assert.True(properties.TryGetProperty("data", out _), $"{schema} has no data member");
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_no_content_for_a_delete()
    {
        var document = await (await portal.CreateApiClient().GetAsync("/openapi/v1.json")).ReadJsonAsync();

        var responses = document.GetProperty("paths").GetProperty("/api/projects/{id}").GetProperty("delete").GetProperty("responses");
        Assert.True(responses.TryGetProperty("204", out var noContent));
        Assert.False(noContent.TryGetProperty("content", out _));
    }

    [Fact]
    public async Task The_API_reference_answers_200()
    {
        var api = portal.CreateApiClient();
        var response = await api.GetAsync("/api/docs");
        if (response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.MovedPermanently)
            response = await api.GetAsync(new Uri(response.RequestMessage!.RequestUri!, response.Headers.Location!)); // relative to /api/docs, as a browser resolves it

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Catalyst API", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> Compressed() => new()
    {
        { "br", "/api/projects" },
        { "gzip", "/api/projects" },
        { "br", "/Account/Login" },
        { "gzip", "/openapi/v1.json" },
    };

    [Theory]
    [MemberData(nameof(Compressed))]
    public async Task Responses_are_compressed_when_the_client_accepts_it(string encoding, string url)
    {
        var user = await portal.CreateUserAsync();
        var api = portal.CreateApiClient(user.Token);
        Assert.Equal(HttpStatusCode.Created, (await api.PostJsonAsync("/api/projects", new { name = "Compressible", description = new string('x', 500) })).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Accept-Encoding", encoding);

        var response = await api.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([encoding], response.Content.Headers.ContentEncoding);
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        await using var body = await response.Content.ReadAsStreamAsync();
        await using Stream decoded = encoding == "br" ? new BrotliStream(body, CompressionMode.Decompress) : new GZipStream(body, CompressionMode.Decompress);
        using var reader = new StreamReader(decoded);
        var text = await reader.ReadToEndAsync(TestContext.Current.CancellationToken);
        if (url == "/api/projects")
            Assert.Equal("Compressible", JsonDocument.Parse(text).RootElement.GetProperty("data")[0].GetProperty("name").GetString());
        else if (url.EndsWith(".json", StringComparison.Ordinal))
            Assert.True(JsonDocument.Parse(text).RootElement.TryGetProperty("paths", out _));
        else
            Assert.Contains("<title>", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Responses_are_not_compressed_when_the_client_does_not_ask()
    {
        var user = await portal.CreateUserAsync();

        var response = await portal.CreateApiClient(user.Token).GetAsync("/api/projects");

        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.Equal(JsonValueKind.Array, (await response.ReadJsonAsync()).GetProperty("data").ValueKind);
    }

    [Theory]
    [InlineData("abc-123_DEF.456")]
    [InlineData("0f8fad5b-d9cb-469f-a165-70867728950e")]
    public async Task A_sane_incoming_correlation_id_is_echoed(string id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.Add("X-Correlation-Id", id);

        var response = await portal.CreateApiClient().SendAsync(request);

        Assert.Equal(id, Assert.Single(response.Headers.GetValues("X-Correlation-Id")));
    }

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("has spaces and \"quotes\"")]
    [InlineData("ok-but-far-too-long-0123456789012345678901234567890123456789012345678901234567890123456789")]
    [InlineData("")]
    public async Task A_hostile_or_missing_correlation_id_is_replaced_by_a_fresh_one(string id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.TryAddWithoutValidation("X-Correlation-Id", id);

        var response = await portal.CreateApiClient().SendAsync(request);

        var echoed = Assert.Single(response.Headers.GetValues("X-Correlation-Id"));
        Assert.NotEqual(id, echoed);
        Assert.Matches("^[A-Za-z0-9._-]{1,64}$", echoed);
    }

    [Fact]
    public async Task Problem_answers_carry_the_correlation_id()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/projects");
        request.Headers.Add("X-Correlation-Id", "trace-me-42");

        var response = await portal.CreateApiClient().SendAsync(request);

        var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("trace-me-42", problem.GetProperty("correlationId").GetString());
        Assert.Equal("trace-me-42", Assert.Single(response.Headers.GetValues("X-Correlation-Id")));
    }

    [Fact]
    public async Task Two_requests_without_an_id_get_different_ones()
    {
        var api = portal.CreateApiClient();

        var first = Assert.Single((await api.GetAsync("/health/live")).Headers.GetValues("X-Correlation-Id"));
        var second = Assert.Single((await api.GetAsync("/health/live")).Headers.GetValues("X-Correlation-Id"));

        Assert.NotEqual(first, second);
    }
}
