using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace Catalyst.Tests.Unit.Infrastructure;

/// <summary>Drives portal forms the way a browser without JavaScript does: GET the page, read the antiforgery token, POST.</summary>
public static class Forms
{
    private static readonly HtmlParser Parser = new();

    public static async Task<IHtmlDocument> GetDocumentAsync(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url} answered {(int)response.StatusCode}");
        return await ParseAsync(response);
    }

    public static async Task<IHtmlDocument> ParseAsync(HttpResponseMessage response) =>
        await Parser.ParseDocumentAsync(await response.Content.ReadAsStringAsync());

    public static string AntiforgeryToken(this IHtmlDocument document) =>
        document.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value")
        ?? throw new InvalidOperationException("The page has no antiforgery token.");

    /// <summary>GETs <paramref name="pageUrl"/>, then posts <paramref name="fields"/> with its antiforgery token to <paramref name="postUrl"/>.</summary>
    /// <remarks>A field may repeat (a list's <c>Index</c> entries, several checkboxes of one name).</remarks>
    public static async Task<HttpResponseMessage> PostFormAsync(this HttpClient client, string pageUrl, IEnumerable<KeyValuePair<string, string>> fields, string? postUrl = null)
    {
        var page = await client.GetDocumentAsync(pageUrl);
        var form = fields.Append(new("__RequestVerificationToken", page.AntiforgeryToken()));
        return await client.PostAsync(postUrl ?? pageUrl, new FormUrlEncodedContent(form));
    }

    /// <summary>POSTs <paramref name="fields"/> to <paramref name="postUrl"/> with an antiforgery token read from <paramref name="tokenPageUrl"/>.</summary>
    public static Task<HttpResponseMessage> PostWithTokenFromAsync(this HttpClient client, string tokenPageUrl, string postUrl, IDictionary<string, string>? fields = null) =>
        client.PostFormAsync(tokenPageUrl, fields ?? new Dictionary<string, string>(), postUrl);

    /// <summary>The text of the validation message rendered next to <paramref name="field"/> (e.g. <c>Input.Name</c>).</summary>
    public static string? FieldError(this IHtmlDocument document, string field) =>
        document.QuerySelector($"[data-valmsg-for='{field}']")?.TextContent.Trim();

    public static void AssertRedirectsToSignIn(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/Login", response.Headers.Location?.OriginalString ?? "", StringComparison.Ordinal);
    }

    public static async Task<HttpResponseMessage> SignInAsync(this HttpClient client, string email, string password) =>
        await client.PostFormAsync("/Account/Login", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });

    public static async Task SignInOrFailAsync(this HttpClient client, string email, string password)
    {
        var response = await client.SignInAsync(email, password);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Sign-in of {email} answered {(int)response.StatusCode}");
    }
}
