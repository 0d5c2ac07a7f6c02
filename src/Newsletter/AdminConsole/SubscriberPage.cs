using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Newsletter.Admin;
using Newsletter.Common;
using Newsletter.Delivery;
using Newsletter.Matching;
using Newsletter.Subscribers;
using Newsletter.Web.Pages;

namespace Newsletter.AdminConsole;

/// <summary>
/// /admin/subscribers/{id}: the subscriber's profile in the preferences page's editor (with its live preview),
/// pause or resume, suppress, erase (after a confirmation page), the delivery log, and links to the digest preview
/// and a resend. Every change goes through <see cref="AdminActions"/>, as the API's, and answers with a redirect
/// to the page (post/redirect/get).
/// </summary>
public static class SubscriberPage
{
    public static RouteGroupBuilder MapConsoleSubscriber(this RouteGroupBuilder console)
    {
        console.MapGet("/subscribers/{id}", ShowAsync);
        console.MapPost("/subscribers/{id}", SaveAsync);
        console.MapGet("/subscribers/{id}/matches", MatchesAsync);
        console.MapPost("/subscribers/{id}/pause", PauseAsync);
        console.MapPost("/subscribers/{id}/suppress", SuppressAsync);
        console.MapGet("/subscribers/{id}/erase", ConfirmEraseAsync);
        console.MapPost("/subscribers/{id}/erase", EraseAsync);
        return console;
    }

    private static readonly Dictionary<string, string> Notices = new(StringComparer.Ordinal)
    {
        ["saved"] = "Saved.",
        ["paused"] = "Paused: no digests until resumed.",
        ["resumed"] = "Resumed: digests go out again.",
        ["suppressed"] = "Suppressed: no more mail to this address.",
    };

    private static async Task<IResult> ShowAsync(
        string id, string? done, HttpContext context, SubscriberStore subscribers, ProfileStore profiles, Outbox outbox, RecentPapersPreview preview,
        IOptions<SiteOptions> site, TimeProvider clock, CancellationToken cancellationToken)
    {
        var subscriber = await subscribers.GetAsync(id, cancellationToken);
        if (subscriber is null)
        {
            return NotFound(context, id);
        }
        var profile = await profiles.GetAsync(id, cancellationToken);
        var notice = done is not null ? Notices.GetValueOrDefault(done) : null;
        return await PageAsync(context, subscriber, profile, ProfileForm.From(subscriber, profile), [], notice, outbox, preview, site.Value, clock, cancellationToken);
    }

    private static async Task<IResult> SaveAsync(
        string id, HttpContext context, SubscriberStore subscribers, ProfileStore profiles, AdminActions actions, Outbox outbox,
        RecentPapersPreview preview, IOptions<SiteOptions> site, TimeProvider clock, CancellationToken cancellationToken)
    {
        var subscriber = await subscribers.GetAsync(id, cancellationToken);
        if (subscriber is null)
        {
            return NotFound(context, id);
        }
        var form = Read(await context.Request.ReadFormAsync(cancellationToken));
        form.Email = subscriber.Email;
        var (settings, errors) = form.Read();
        if (settings is not null && form.Action != "preview")
        {
            try
            {
                // no field for the minimum score: the change leaves it as stored, as the preferences page does
                await actions.UpdateAsync(context, id, new UpdateSubscriberRequest(
                    form.Name ?? "", [.. settings.Keywords], [.. settings.Exclusions], settings.MaxPapers, null, settings.SendHour, settings.TimeZone,
                    form.Paused is not null)
                {
                    Delivery = form.Delivery,
                    Frequency = settings.Frequency,
                    Weekday = settings.Weekday,
                    Focus = settings.Focus?.Name(),
                }, cancellationToken);
                return new SeeOtherHttpResult($"/admin/subscribers/{Uri.EscapeDataString(id)}?done=saved");
            }
            catch (Exception e) when (e is ProfileValidationException or SubscriptionException)
            {
                var (field, message) = ProfileForm.ErrorOf(e);
                errors[field] = message;
            }
        }
        var profile = await profiles.GetAsync(id, cancellationToken);
        return await PageAsync(context, subscriber, profile, form, errors, null, outbox, preview, site.Value, clock, cancellationToken);
    }

    private static async Task<IResult> MatchesAsync(
        string id, string? keywords, string? exclude, string? maxPapers, string? focus, ProfileStore profiles, RecentPapersPreview preview, IOptions<SiteOptions> site,
        CancellationToken cancellationToken)
    {
        var saved = ProfileForm.NeedsSaved(maxPapers, focus) ? await profiles.GetAsync(id, cancellationToken) : null;
        var papersPerEmail = ProfileForm.PapersPerEmail(maxPapers) ?? saved?.MaxPapers ?? Profile.DefaultMaxPapers;
        var fragment = await PreferencesEndpoints.PreviewAsync(site.Value, preview, ProfileForm.Lines(keywords), ProfileForm.Lines(exclude), papersPerEmail,
            ProfileForm.FocusOf(focus, saved?.Focus), cancellationToken);
        return TypedResults.Content(fragment.Value, "text/html; charset=utf-8");
    }

    private static async Task<IResult> PauseAsync(string id, HttpContext context, AdminActions actions, CancellationToken cancellationToken)
    {
        var pause = (await context.Request.ReadFormAsync(cancellationToken))["paused"] == "on";
        return await actions.UpdateAsync(context, id, new UpdateSubscriberRequest(null, null, null, null, null, null, null, pause), cancellationToken)
            ? new SeeOtherHttpResult($"/admin/subscribers/{Uri.EscapeDataString(id)}?done={(pause ? "paused" : "resumed")}")
            : NotFound(context, id);
    }

    private static async Task<IResult> SuppressAsync(string id, HttpContext context, AdminActions actions, CancellationToken cancellationToken) =>
        await actions.SuppressAsync(context, id, (await context.Request.ReadFormAsync(cancellationToken))["reason"].ToString(), cancellationToken)
            ? new SeeOtherHttpResult($"/admin/subscribers/{Uri.EscapeDataString(id)}?done=suppressed")
            : NotFound(context, id);

    private static async Task<IResult> ConfirmEraseAsync(string id, HttpContext context, SubscriberStore subscribers, CancellationToken cancellationToken)
    {
        var subscriber = await subscribers.GetAsync(id, cancellationToken);
        if (subscriber is null)
        {
            return NotFound(context, id);
        }
        return ConsolePage.Page(context, "Erase this subscriber?", Html.Of($"""
            <p>Erasing <strong>{subscriber.Email}</strong> deletes their address, name, keywords and settings for good (GDPR erasure).
            Their deliveries stay in the counts, without the address. This cannot be undone.</p>
            {Html.When(ConsolePage.MayChange(context), ConsolePage.PostButton(context, $"/admin/subscribers/{id}/erase", "Erase for good"))}
            <p><a href="/admin/subscribers/{id}">No, back to the subscriber</a></p>
            """));
    }

    private static async Task<IResult> EraseAsync(string id, HttpContext context, AdminActions actions, CancellationToken cancellationToken)
    {
        var kept = await actions.EraseAsync(context, id, cancellationToken);
        return kept is null
            ? NotFound(context, id)
            : ConsolePage.Page(context, "Subscriber erased", Html.Of($"""
                <p role="status">The subscriber {id} is erased; {kept} {(kept == 1 ? "delivery stays" : "deliveries stay")} in the counts, without an address.</p>
                <p><a href="/admin/subscribers">Back to the subscribers</a></p>
                """));
    }

    private static async Task<IResult> PageAsync(
        HttpContext context, Subscriber s, StoredProfile? profile, ProfileForm form, Dictionary<string, string> errors, string? notice, Outbox outbox,
        RecentPapersPreview preview, SiteOptions site, TimeProvider clock, CancellationToken cancellationToken)
    {
        var mayChange = ConsolePage.MayChange(context);
        var savedCap = profile?.MaxPapers ?? Profile.DefaultMaxPapers;
        var previewHtml = errors.ContainsKey("keywords") || errors.ContainsKey("exclude")
            ? Html.Of($"""<p class="hint">Fix the keywords to see which papers they match.</p>""")
            : await PreferencesEndpoints.PreviewAsync(site, preview, ProfileForm.Lines(form.Keywords), ProfileForm.Lines(form.Exclude),
                ProfileForm.PapersPerEmail(form.MaxPapers) ?? savedCap, ProfileForm.FocusOf(form.Focus, profile?.Focus), cancellationToken);
        var log = await outbox.ListAsync(null, s.Id, cancellationToken);
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).ToString("yyyy-MM-dd");
        var paused = s.PausedAt is not null;
        return ConsolePage.Page(context, s.Email, Html.Of($"""
            {Html.When(notice is not null, Html.Of($"""<p class="notice" role="status">{notice}</p>"""))}
            <dl class="facts">
            <dt>Status</dt><dd>{s.Status}{(s.StatusReason is null ? "" : $" ({s.StatusReason})")}{(paused ? $", paused since {s.PausedAt}" : "")}</dd>
            <dt>Subscribed</dt><dd>{s.CreatedAt}{(s.ConfirmedAt is null ? ", not confirmed" : $", confirmed {s.ConfirmedAt}")}</dd>
            <dt>Id</dt><dd><code>{s.Id}</code></dd>
            <dt>Delivery</dt><dd>{(s.Delivery == DeliveryMode.Feed ? "feed only (nothing mailed)" : "email")}</dd>
            <dt>Digests</dt><dd>{DigestFrequency.Describe(s.Frequency, s.Weekday)}, at {s.SendHour:00}:00 {s.TimeZone}{(s.LastPlannedDay is null ? "" : $"; covered up to the listing of {s.LastPlannedDay}")}</dd>
            </dl>
            {Html.When(mayChange, Html.Of($"""
                <div class="inline">
                {ConsolePage.PostButton(context, $"/admin/subscribers/{s.Id}/pause", paused ? "Resume digests" : "Pause digests",
                    Html.Of($"""<input type="hidden" name="paused" value="{(paused ? "off" : "on")}">"""), secondary: true)}
                <a href="/admin/subscribers/{s.Id}/erase">Erase…</a>
                </div>
                {Html.When(s.Status != SubscriberStatus.Suppressed, Html.Of($"""
                    <form method="post" action="/admin/subscribers/{s.Id}/suppress" class="inline">{FormProtection.Field(context)}
                    <div><label for="reason">Reason to suppress</label><input id="reason" name="reason" type="text" maxlength="200" placeholder="suppressed by an admin"></div>
                    <button type="submit" class="secondary">Suppress</button></form>
                    """))}
                """))}
            <h2>Profile</h2>
            {ProfileFields.Summary(errors)}
            <form method="post" action="/admin/subscribers/{s.Id}" data-preview="/admin/subscribers/{s.Id}/matches" novalidate>
            {FormProtection.Field(context)}
            {ProfileFields.Name(form, errors)}
            {ProfileFields.Render(form, errors)}
            {ProfileFields.Delivery(form, errors)}
            <label><input type="checkbox" name="paused"{(form.Paused is not null ? new Markup(" checked") : Markup.Empty)}> Paused</label>
            <div class="row"><div>
            {Html.When(mayChange, Html.Of($"""
                <button type="submit" name="action" value="save">Save</button>
                <button type="submit" name="action" value="preview" class="secondary">Preview</button>
                """))}
            </div></div>
            </form>
            <h2>Papers these keywords would have matched</h2>
            <div id="preview" aria-live="polite">{previewHtml}</div>
            <h2>Digest of a listing day</h2>
            <form method="get" action="/admin/digest" class="inline">
            <input type="hidden" name="subscriberId" value="{s.Id}">
            <div><label for="day">Listing day</label><input id="day" name="date" type="text" inputmode="numeric" value="{today}" aria-describedby="day-hint">
            <p class="hint" id="day-hint">YYYY-MM-DD</p></div>
            <div><button type="submit" class="secondary">Preview the digest</button><p class="hint">&nbsp;</p></div>
            <div><button type="submit" formaction="/admin/resend">Resend it…</button><p class="hint">a dry run first</p></div>
            </form>
            <h2>Delivery log</h2>
            {(log.Count == 0 ? Html.Of($"""<p>No digest was sent to this subscriber yet.</p>""") : ConsolePage.Table("Delivery log",
                Html.Of($"""<th scope="col">Day</th><th scope="col">Copy</th><th scope="col">Status</th><th scope="col">Papers</th><th scope="col">Sent</th><th scope="col">Server's words</th>"""),
                log.Select(d => Html.Of($"""<tr><td>{(d.FirstDay is { } first ? $"{first} to {d.DigestDate}" : d.DigestDate)}</td><td>{d.Sequence}</td><td>{d.Status}{(d.Failure is null ? "" : $" ({d.Failure})")}</td><td>{d.PaperCount}</td><td>{d.SentAt ?? ""}</td><td>{d.ServerReply ?? ""}</td></tr>"""))))}
            <script src="{PreferencesEndpoints.ScriptPath}" defer></script>
            """), errors.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    /// <summary>
    /// The editor's fields as posted. Read by hand: the framework cannot bind a form to a class in an endpoint
    /// behind a filter (<see cref="ConsoleGate"/>), and its own binding would check the anti-forgery token before the session.
    /// </summary>
    private static ProfileForm Read(IFormCollection f) => new()
    {
        Name = f["name"].FirstOrDefault(),
        Keywords = f["keywords"].FirstOrDefault(),
        Exclude = f["exclude"].FirstOrDefault(),
        SendHour = f["sendHour"].FirstOrDefault(),
        TimeZone = f["timeZone"].FirstOrDefault(),
        MaxPapers = f["maxPapers"].FirstOrDefault(),
        Paused = f["paused"].FirstOrDefault(),
        Delivery = f["delivery"].FirstOrDefault(),
        Focus = f["focus"].FirstOrDefault(),
        Action = f["action"].FirstOrDefault(),
        Frequency = f["frequency"].FirstOrDefault(),
        Weekday = f["weekday"].FirstOrDefault(),
    };

    public static IResult NotFound(HttpContext context, string id) =>
        ConsolePage.Page(context, "No such subscriber", Html.Of($"""<p role="alert">There is no subscriber with the id {id} (erased, or never added).</p><p><a href="/admin/subscribers">Back to the subscribers</a></p>"""),
            StatusCodes.Status404NotFound);
}
