using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Newsletter.Admin;
using Newsletter.Matching;
using Newsletter.Subscribers;
using Newsletter.Web.Pages;

namespace Newsletter.AdminConsole;

/// <summary>/admin/subscribers: search by part of an email or of a keyword as typed, filter by status, 50 a page (the API's list query).</summary>
public static class SubscriberListPage
{
    public const int PageSize = 50;
    public static readonly string[] Statuses = [SubscriberStatus.Pending, SubscriberStatus.Active, SubscriberStatus.Unsubscribed, SubscriberStatus.Suppressed];

    public static RouteGroupBuilder MapConsoleSubscribers(this RouteGroupBuilder console)
    {
        console.MapGet("/subscribers", ShowAsync);
        return console;
    }

    private static async Task<IResult> ShowAsync(
        HttpContext context, SubscriberStore subscribers, ProfileStore profiles, CancellationToken cancellationToken, string? search = null, string? status = null, int page = 1)
    {
        search = string.IsNullOrWhiteSpace(search) ? null : search.Trim();
        status = Statuses.Contains(status) ? status : null;
        page = Math.Max(page, 1);
        var (items, total) = await subscribers.PageAsync(status, search, page, PageSize, cancellationToken);
        var stored = await profiles.GetManyAsync([.. items.Select(s => s.Id)], cancellationToken);
        var rows = items.Select(s => SubscriberDto.From(s, stored.GetValueOrDefault(s.Id))).Select(s => Html.Of($"""
            <tr><td><a href="/admin/subscribers/{s.Id}">{s.Email}</a></td><td>{s.Status}{(s.Paused ? ", paused" : "")}</td>
            <td>{string.Join(" · ", s.Keywords)}</td><td>{s.CreatedAt[..Math.Min(10, s.CreatedAt.Length)]}</td></tr>
            """));
        var pages = Math.Max(1, (int)((total + PageSize - 1) / PageSize));
        return ConsolePage.Page(context, "Subscribers", Html.Of($"""
            <form method="get" action="/admin/subscribers" class="inline" role="search">
            <div><label for="search">Search</label><input id="search" name="search" type="text" value="{search ?? ""}" aria-describedby="search-hint">
            <p class="hint" id="search-hint">Part of an email address or of a keyword, as typed.</p></div>
            <div><label for="status">Status</label><select id="status" name="status">
            <option value="">any</option>
            {Html.Join(Statuses.Select(s => Html.Of($"""<option value="{s}"{(s == status ? new Markup(" selected") : Markup.Empty)}>{s}</option>""")))}
            </select><p class="hint">&nbsp;</p></div>
            <div><button type="submit">Search</button><p class="hint">&nbsp;</p></div>
            </form>
            <p role="status">{total} {(total == 1 ? "subscriber" : "subscribers")}{(search is null && status is null ? "" : " found")}; page {page} of {pages}.</p>
            {(items.Count == 0 ? Html.Of($"""<p>No subscriber matches.</p>""") : ConsolePage.Table("Subscribers",
                Html.Of($"""<th scope="col">Email</th><th scope="col">Status</th><th scope="col">Keywords</th><th scope="col">Since</th>"""), rows))}
            <nav aria-label="Pages" class="inline">
            {Html.When(page > 1, Html.Of($"""<a href="{PageLink(search, status, page - 1)}">Previous page</a>"""))}
            {Html.When(page < pages, Html.Of($"""<a href="{PageLink(search, status, page + 1)}">Next page</a>"""))}
            </nav>
            """));
    }

    private static string PageLink(string? search, string? status, int page) =>
        $"/admin/subscribers?search={Uri.EscapeDataString(search ?? "")}&status={Uri.EscapeDataString(status ?? "")}&page={page}";
}
