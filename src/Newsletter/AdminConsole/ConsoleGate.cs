using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Newsletter.Admin;
using Newsletter.Web.Pages;

namespace Newsletter.AdminConsole;

/// <summary>
/// In front of every console page but the sign-in: no session, the sign-in page (and back here after it); a form
/// post from a viewer, refused (403); every form post, its anti-forgery token checked here, after the session,
/// rather than by the framework as the form is bound, so a post without a session goes to the sign-in like a page.
/// Each request renews the session and names its caller for the audit log, as the API's key filter does.
/// </summary>
public sealed partial class ConsoleGate(ConsoleSessions sessions, ILogger<ConsoleGate> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var caller = sessions.Read(http);
        if (caller is null)
        {
            var back = HttpMethods.IsGet(http.Request.Method) ? (http.Request.Path + http.Request.QueryString).ToString() : http.Request.Path.ToString();
            return new SeeOtherHttpResult("/admin?next=" + Uri.EscapeDataString(back));
        }
        http.Items[ConsoleSessions.CallerItem] = caller;
        http.Items[ApiKeyFilter.ActorItem] = caller.Actor;
        if (ApiKeyFilter.IsWrite(http.Request.Method))
        {
            if (!caller.MayChange)
            {
                LogViewerRefused(http.Request.Path, caller.Actor);
                return ConsolePage.Page(http, "Viewers change nothing",
                    Html.Of($"""<p role="alert">You are signed in with a viewer key (Admin:ViewerKeys): it shows everything and changes nothing. Sign in with a key of Admin:ApiKeys to make this change.</p>"""),
                    StatusCodes.Status403Forbidden);
            }
            await ValidateFormAsync(http);
        }
        sessions.Issue(http, caller);
        return await next(context);
    }

    /// <summary>The anti-forgery check of a console form; a failure is answered as an expired form (<see cref="Web.ErrorPages"/>).</summary>
    public static async Task ValidateFormAsync(HttpContext http)
    {
        try
        {
            await http.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(http);
        }
        catch (AntiforgeryValidationException e)
        {
            throw new BadHttpRequestException("The form's anti-forgery token is missing or not valid.", StatusCodes.Status400BadRequest, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin console refused {Path}: {Actor} is a viewer")]
    private partial void LogViewerRefused(string path, string actor);
}
