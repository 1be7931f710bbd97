using Catalyst.Data.Chat;
using Catalyst.Data.Common;
using Catalyst.Data.Search;
using Catalyst.Portal.Infrastructure;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Chat;

/// <summary>Chat sessions, most recently active first; with <c>q</c>, the messages that match it (from the search index).</summary>
public class IndexModel(ChatService chat, SearchService search) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Search { get; set; }

    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public Page<ChatSession>? Sessions { get; private set; }
    public Page<SearchHit>? Hits { get; private set; }
    public string? SearchError { get; private set; }

    public string ListUrl => $"/Chat?q={Uri.EscapeDataString(Search ?? "")}";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        ViewData["Section"] = "Chat";
        var page = new PageRequest(Math.Clamp(PageNumber, 1, 50), 20);
        if (string.IsNullOrWhiteSpace(Search))
            Sessions = await chat.ListSessionsAsync(User.ToActor(), new ChatSessionQuery(), page, ct);
        else
        {
            try
            {
                Hits = (await search.SearchAsync(User.ToActor(), new SearchRequest(Search, Types: "chat"), page, ct)).Page;
            }
            catch (ValidationFailedException ex)
            {
                SearchError = string.Join(" ", ex.Errors.SelectMany(e => e.Value));
            }
        }
        return Request.IsHtmx() ? Partial("_List", this) : Page();
    }
}
