using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Newsletter.Admin;
using Newsletter.Delivery;
using Newsletter.Web.Pages;

namespace Newsletter.AdminConsole;

/// <summary>
/// /admin/resend: choose a subscriber or a filter and a listing day; the page shows the dry run (who would get
/// what; a GET, so a viewer sees it too), and its button sends. The button carries an idempotency key made for
/// that dry run: a double click, or a reload of the answer, sends once and shows the first answer again.
/// </summary>
public static class ResendPages
{
    public static RouteGroupBuilder MapConsoleResend(this RouteGroupBuilder console)
    {
        console.MapGet("/resend", DryRunAsync);
        console.MapPost("/resend", SendAsync);
        return console;
    }

    private static async Task<IResult> DryRunAsync(
        HttpContext context, AdminActions actions, CancellationToken cancellationToken,
        string? subscriberId = null, string? date = null, string? status = null, string? deliveryStatus = null, string? search = null)
    {
        var request = Request(subscriberId, date, status, deliveryStatus, search, dryRun: true);
        var form = Form(request);
        if (string.IsNullOrWhiteSpace(date))
        {
            return ConsolePage.Page(context, "Resend a digest", form);
        }
        var outcome = await actions.ResendAsync(context, request, null, cancellationToken);
        if (outcome.Error is { } error)
        {
            return ConsolePage.Page(context, "Resend a digest", Html.Of($"""
                <div class="summary" role="alert" tabindex="-1" autofocus><p>{Sentence(error)}</p></div>
                {form}
                """), StatusCodes.Status400BadRequest);
        }
        var answer = outcome.Answer!;
        var confirm = answer.WouldSend == 0 ? Html.Of($"""<p>Nobody would get a copy, so there is nothing to send.</p>""")
            : !ConsolePage.MayChange(context) ? Html.Of($"""<p>A viewer key sees the dry run; sending needs an admin key.</p>""")
            : Html.Of($"""
                <form method="post" action="/admin/resend">
                {FormProtection.Field(context)}
                <input type="hidden" name="idempotencyKey" value="{Guid.NewGuid().ToString("N")}">
                {Hidden("subscriberId", subscriberId)}{Hidden("date", answer.Date)}{Hidden("status", status)}{Hidden("deliveryStatus", deliveryStatus)}{Hidden("search", search)}
                <button type="submit">Send {answer.WouldSend} {(answer.WouldSend == 1 ? "copy" : "copies")} now</button>
                </form>
                """);
        return ConsolePage.Page(context, "Resend: dry run", Html.Of($"""
            <p role="status">Dry run for the digest of {answer.Date}: {answer.WouldSend} would get a copy, {answer.Skipped} skipped. Nothing was sent.</p>
            {confirm}
            {Lines(answer)}
            <h2>Change the choice</h2>
            {form}
            """));
    }

    private static async Task<IResult> SendAsync(HttpContext context, AdminActions actions, CancellationToken cancellationToken)
    {
        // read by hand: the framework binds no form to a class behind an endpoint filter
        var posted = await context.Request.ReadFormAsync(cancellationToken);
        var form = new ResendForm
        {
            IdempotencyKey = posted["idempotencyKey"].FirstOrDefault(),
            SubscriberId = posted["subscriberId"].FirstOrDefault(),
            Date = posted["date"].FirstOrDefault(),
            Status = posted["status"].FirstOrDefault(),
            DeliveryStatus = posted["deliveryStatus"].FirstOrDefault(),
            Search = posted["search"].FirstOrDefault(),
        };
        var request = Request(form.SubscriberId, form.Date, form.Status, form.DeliveryStatus, form.Search, dryRun: false);
        var outcome = await actions.ResendAsync(context, request, string.IsNullOrWhiteSpace(form.IdempotencyKey) ? null : form.IdempotencyKey, cancellationToken);
        if (outcome.Error is { } error)
        {
            return ConsolePage.Page(context, error.Status == StatusCodes.Status409Conflict ? "Already being sent" : "Resend a digest", Html.Of($"""
                <div class="summary" role="alert" tabindex="-1" autofocus><p>{(error.Status == StatusCodes.Status409Conflict
                    ? "This resend was already confirmed and is being sent (a second click sends nothing). Open the delivery log in a moment to see how it went."
                    : Sentence(error))}</p></div>
                {Form(request)}
                """), error.Status == StatusCodes.Status409Conflict ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest);
        }
        var answer = outcome.Answer!;
        return ConsolePage.Page(context, "Resend: sent", Html.Of($"""
            <p role="status">Digest of {answer.Date}: {answer.Sent} sent, {answer.Failed} failed, {answer.Skipped} skipped{(outcome.Replayed is not null ? " (this resend was already confirmed: nothing more was sent)" : "")}.</p>
            {Lines(answer)}
            <p><a href="/admin/resend">Another resend</a></p>
            """));
    }

    private static ResendRequest Request(string? subscriberId, string? date, string? status, string? deliveryStatus, string? search, bool dryRun) =>
        string.IsNullOrWhiteSpace(subscriberId)
            ? new ResendRequest(null, null, new ResendFilter(Blank(status), Blank(search), Blank(deliveryStatus)), date?.Trim(), dryRun)
            : new ResendRequest(subscriberId.Trim(), null, null, date?.Trim(), dryRun);

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string Sentence(AdminError error) => error.Field is "" or "body" ? error.Message : $"{error.Field}: {error.Message}";

    private static Markup Hidden(string name, string? value) =>
        string.IsNullOrWhiteSpace(value) ? Markup.Empty : Html.Of($"""<input type="hidden" name="{name}" value="{value}">""");

    private static Markup Lines(ResendResponse answer) => answer.Recipients.Count == 0
        ? Html.Of($"""<p>No subscriber matches this choice.</p>""")
        : ConsolePage.Table("Recipients", Html.Of($"""<th scope="col">Email</th><th scope="col">Outcome</th><th scope="col">Papers</th><th scope="col">Why</th>"""),
            answer.Recipients.Select(r => Html.Of($"""
                <tr><td><a href="/admin/subscribers/{r.SubscriberId}">{r.Email}</a></td><td>{r.Status}</td><td>{r.Papers.Count}</td><td>{r.Reason ?? ""}</td></tr>
                """)));

    private static Markup Form(ResendRequest request)
    {
        var filter = request.Filter;
        return Html.Of($"""
            <form method="get" action="/admin/resend" novalidate>
            {(request.SubscriberId is { } id
                ? Html.Of($"""<input type="hidden" name="subscriberId" value="{id}"><p>To the subscriber <a href="/admin/subscribers/{id}">{id}</a> (<a href="/admin/resend">choose by filter instead</a>).</p>""")
                : Html.Of($"""
                    <div class="row">
                    <div><label for="status">Subscriber status</label><select id="status" name="status">
                    {Options(SubscriberListPage.Statuses, filter?.Status ?? Subscribers.SubscriberStatus.Active, null)}</select></div>
                    <div><label for="deliveryStatus">Their digest of the day</label><select id="deliveryStatus" name="deliveryStatus">
                    {Options(ResendRecipients.DeliveryStatuses, filter?.DeliveryStatus, "any")}</select></div>
                    <div><label for="search">Search</label><input id="search" name="search" type="text" value="{filter?.Search ?? ""}"></div>
                    </div>
                    """))}
            <label for="date">Listing day</label>
            <p class="hint" id="date-hint">The day of the digest to send again, YYYY-MM-DD.</p>
            <input id="date" name="date" type="text" inputmode="numeric" value="{request.Date ?? ""}" aria-describedby="date-hint">
            <button type="submit" class="secondary">Dry run</button>
            </form>
            """);
    }

    private static Markup Options(IEnumerable<string> values, string? chosen, string? blank) => Html.Join(
        (blank is null ? values : values.Prepend("")).Select(v => Html.Of($"""<option value="{v}"{(v == (chosen ?? "") ? new Markup(" selected") : Markup.Empty)}>{(v == "" ? blank : v)}</option>""")));
}

public sealed class ResendForm
{
    public string? IdempotencyKey { get; set; }
    public string? SubscriberId { get; set; }
    public string? Date { get; set; }
    public string? Status { get; set; }
    public string? DeliveryStatus { get; set; }
    public string? Search { get; set; }
}
