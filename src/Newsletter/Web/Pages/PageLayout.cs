using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Newsletter.Web.Pages;

/// <summary>The frame around every page: one column that fits a phone, readable without CSS or JavaScript.</summary>
public static class PageLayout
{
    // Each colour scheme has its own palette, every text colour at least 4.5:1 against its page and the focus
    // outline at least 3:1 (WCAG AA). The page colour is set, not left to the browser, so the ratios hold in every
    // browser; the dark one is Chromium's own dark canvas. Light: text 17.7, accent and button 6.2, error 6.5,
    // hint 4.8, notice text 15.7 (links in it 5.5). Dark: text 15.1, accent 10.4, button 10.4, error 9.9, hint 7.4,
    // notice text 12.2 (links in it 8.4).
    private const string Style =
        """
        :root { color-scheme: light dark;
          --page: #ffffff; --text: #111827; --accent: #1a56db; --on-accent: #ffffff; --error: #b91c1c; --muted: #6b7280;
          --border: #6b7280; --notice: #edf1fc; --focus: #1a56db; }
        @media (prefers-color-scheme: dark) {
          :root { --page: #121212; --text: #e5e7eb; --accent: #93c5fd; --on-accent: #121212; --error: #fca5a5; --muted: #9ca3af;
            --border: #9ca3af; --notice: #21272e; --focus: #93c5fd; }
        }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--page); color: var(--text); }
        a { color: var(--accent); }
        header, main, footer { max-width: 40rem; margin: 0 auto; padding: 0 1rem; }
        header { padding-top: 1rem; font-weight: 600; }
        header a { color: inherit; text-decoration: none; }
        h1 { font-size: 1.5rem; line-height: 1.25; }
        label { display: block; font-weight: 600; margin-top: 1rem; }
        .hint { color: var(--muted); font-size: .9rem; margin: .15rem 0 .35rem; }
        fieldset { border: 0; padding: 0; margin: 1rem 0 0; } legend { font-weight: 600; padding: 0; } label.choice { font-weight: 400; margin-top: .25rem; }
        input[type=email], input[type=text], input[type=number], select, textarea {
          width: 100%; font: inherit; padding: .5rem; border: 1px solid var(--border); border-radius: .375rem; background: var(--page); color: var(--text); }
        textarea { min-height: 7rem; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .95rem; }
        a:focus, input:focus, select:focus, textarea:focus, button:focus, summary:focus, .summary:focus { outline: 3px solid var(--focus); outline-offset: 2px; }
        [aria-invalid=true] { border-color: var(--error); }
        .row { display: flex; gap: 1rem; flex-wrap: wrap; } .row > div { flex: 1 1 10rem; }
        fieldset { border: 0; padding: 0; margin: 1rem 0 0; } legend { font-weight: 600; padding: 0; } label.choice { font-weight: 400; margin-top: .25rem; }
        button { font: inherit; font-weight: 600; margin-top: 1.25rem; padding: .6rem 1.2rem; border: 0; border-radius: .375rem;
          background: var(--accent); color: var(--on-accent); cursor: pointer; }
        button.secondary { background: transparent; color: var(--accent); border: 1px solid var(--accent); }
        .error { color: var(--error); font-size: .95rem; margin: .25rem 0; }
        .summary { border: 2px solid var(--error); border-radius: .375rem; padding: .5rem 1rem; }
        .notice { border-left: 4px solid var(--accent); padding: .25rem 1rem; background: var(--notice); }
        details { margin: .5rem 0; } code { font-size: .9em; }
        .papers { padding-left: 1.2rem; } .papers li { margin: .5rem 0; } .papers .why { color: var(--muted); font-size: .9rem; }
        footer { color: var(--muted); font-size: .85rem; padding: 2rem 1rem; }
        body.wide header, body.wide main, body.wide footer { max-width: 72rem; }
        nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem 1rem; padding: 0; margin: .5rem 0 0; font-weight: 400; }
        nav form { display: inline; } nav button, td form button, .inline button { margin: 0; padding: .2rem .6rem; }
        .scroll { overflow-x: auto; } table { border-collapse: collapse; width: 100%; font-size: .95rem; }
        th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid var(--border); }
        dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .15rem 1rem; } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
        body.wide h1 { overflow-wrap: anywhere; }
        .inline { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-end; } .inline > * { flex: 0 1 auto; }
        pre { white-space: pre-wrap; overflow-wrap: anywhere; }
        """;

    /// <param name="header">What the header holds instead of the link home (the admin console: its name and menu).</param>
    /// <param name="footer">The footer's line instead of what the site is.</param>
    /// <param name="wide">A page of tables (the admin console) rather than one column of reading.</param>
    /// <param name="head">More of the head (a feed's <c>link rel="alternate"</c>).</param>
    public static ContentHttpResult Page(
        string siteName, string title, Markup body, int statusCode = StatusCodes.Status200OK, Markup? header = null, string? footer = null, bool wide = false,
        Markup? head = null) =>
        TypedResults.Content(Html.Of($"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <title>{title} · {siteName}</title>
            <style>{new Markup(Style)}</style>
            {head ?? Markup.Empty}
            </head>
            <body{(wide ? new Markup(" class=\"wide\"") : Markup.Empty)}>
            <header>{header ?? Html.Of($"""<a href="/">{siteName}</a>""")}</header>
            <main id="main">
            <h1>{title}</h1>
            {body}
            </main>
            <footer>{footer ?? $"{siteName} sends a daily email of the trending papers that match your keywords."}</footer>
            </body>
            </html>
            """).Value, "text/html; charset=utf-8", Encoding.UTF8, statusCode);

    /// <summary>A page that explains a problem and what to do; never a stack trace.</summary>
    public static ContentHttpResult Problem(string siteName, string title, string explanation, int statusCode, Markup? next = null) =>
        Page(siteName, title, Html.Of($"""<p role="alert">{explanation}</p>{next ?? Markup.Empty}"""), statusCode);
}
