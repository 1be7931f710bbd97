using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages;

/// <summary>Every error status a person can meet in the portal, rendered for people.</summary>
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
[IgnoreAntiforgeryToken]
public class ErrorModel : PageModel
{
    public int Code { get; private set; }
    public string Heading { get; private set; } = "";
    public string Message { get; private set; } = "";
    public string? CorrelationId { get; private set; }

    public void OnGet(int? code) => Describe(code);
    public void OnPost(int? code) => Describe(code);

    private void Describe(int? code)
    {
        var failure = HttpContext.Features.Get<IExceptionHandlerFeature>();
        Code = code ?? (failure is null ? 500 : Response.StatusCode);
        if (Code < 400) Code = 500;
        Response.StatusCode = Code;
        CorrelationId = Infrastructure.CorrelationIdMiddleware.Get(HttpContext) ?? HttpContext.TraceIdentifier;
        (Heading, Message) = Code switch
        {
            400 => ("Bad request", "The request could not be understood. Go back and try again."),
            403 => ("Access denied", "Your account does not have access to this page."),
            404 => ("Not found", "There is nothing here, or it is not yours to see."),
            405 => ("Not allowed", "This page does not accept that kind of request."),
            412 => ("Changed meanwhile", "Someone else changed this in the meantime. Reload and try again."),
            413 => ("Too large", "What you sent is larger than this page accepts."),
            429 => ("Too many attempts", "Too many attempts in a short time. Wait a minute and try again."),
            _ when Code >= 500 => ("Something went wrong", "An unexpected error occurred. It has been logged."),
            _ => ("Error", "The request could not be completed."),
        };
    }
}
