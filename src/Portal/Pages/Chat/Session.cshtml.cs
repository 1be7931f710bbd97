using Catalyst.Data.Chat;
using Catalyst.Data.Common;
using Catalyst.Portal.Infrastructure;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages.Chat;

/// <summary>One session's messages with their roles, newest page first; "Older messages" walks back with the API's cursor.</summary>
public class SessionModel(ChatService chat) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "before")]
    public string? Before { get; set; }

    public ChatSession Session { get; private set; } = null!;
    public ChatMessagePage Messages { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        ViewData["Section"] = "Chat";
        Session = await chat.GetSessionAsync(User.ToActor(), id, ct);
        try
        {
            Messages = await chat.ListMessagesAsync(User.ToActor(), id, Before, 50, ct);
        }
        catch (ValidationFailedException)
        {
            return RedirectToPage("Session", new { id });
        }
        return Request.IsHtmx() ? Partial("_Messages", this) : Page();
    }

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, long version, CancellationToken ct)
    {
        try
        {
            var session = await chat.GetSessionAsync(User.ToActor(), id, ct);
            await chat.DeleteSessionAsync(User.ToActor(), id, version, ct);
            TempData["Flash"] = $"Chat session “{session.Title}” was deleted.";
            return RedirectToPage("Index");
        }
        catch (VersionConflictException)
        {
            TempData["Flash"] = "The session changed after you opened it; it was not deleted. Try again.";
            return RedirectToPage("Session", new { id });
        }
    }
}
