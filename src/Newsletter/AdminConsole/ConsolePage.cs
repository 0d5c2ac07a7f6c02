using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Newsletter.Admin;
using Newsletter.Common;
using Newsletter.Web.Pages;

namespace Newsletter.AdminConsole;

/// <summary>The console's frame: the subscriber pages' layout, wide for tables, with the console's menu and who is signed in.</summary>
public static class ConsolePage
{
    public static IResult Page(HttpContext context, string title, Markup body, int statusCode = StatusCodes.Status200OK)
    {
        var site = context.RequestServices.GetRequiredService<IOptions<SiteOptions>>().Value;
        var caller = context.Items[ConsoleSessions.CallerItem] as AdminCaller;
        var header = caller is null
            ? Html.Of($"""<a href="/admin">{site.Name} admin</a>""")
            : Html.Of($"""
                <a href="/admin/dashboard">{site.Name} admin</a>
                <nav aria-label="Console"><ul>
                <li><a href="/admin/dashboard">Dashboard</a></li>
                <li><a href="/admin/subscribers">Subscribers</a></li>
                <li><a href="/admin/resend">Resend</a></li>
                <li><a href="/admin/runs">Runs</a></li>
                <li><a href="/admin/csv">CSV</a></li>
                <li><form method="post" action="/admin/sign-out">{FormProtection.Field(context)}<button type="submit" class="secondary">Sign out</button></form></li>
                </ul></nav>
                """);
        var footer = caller is null
            ? "Sign in with a key of Admin:ApiKeys (admin) or Admin:ViewerKeys (viewer)."
            : $"Signed in as {caller.Actor} ({caller.Role}{(caller.MayChange ? "" : ": sees everything, changes nothing")}).";
        return PageLayout.Page(site.Name, title, body, statusCode, header, footer, wide: true);
    }

    /// <summary>A table that scrolls sideways on a phone rather than squeezing its columns; focusable, so a keyboard can scroll it.</summary>
    public static Markup Table(string label, Markup head, IEnumerable<Markup> rows) => Html.Of($"""
        <div class="scroll" role="region" aria-label="{label}" tabindex="0"><table>
        <thead><tr>{head}</tr></thead>
        <tbody>{Html.Join(rows)}</tbody>
        </table></div>
        """);

    /// <summary>A button that posts a small form (with its anti-forgery token): an action on one thing.</summary>
    public static Markup PostButton(HttpContext context, string action, string label, Markup? fields = null, bool secondary = false) => Html.Of($"""
        <form method="post" action="{action}" class="inline">{FormProtection.Field(context)}{fields ?? Markup.Empty}<button type="submit"{(secondary ? new Markup(" class=\"secondary\"") : Markup.Empty)}>{label}</button></form>
        """);

    public static bool MayChange(HttpContext context) => (context.Items[ConsoleSessions.CallerItem] as AdminCaller)?.MayChange == true;
}
