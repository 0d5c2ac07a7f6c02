using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Newsletter.Common;
using Newsletter.Matching;
using Newsletter.Subscribers;

namespace Newsletter.Web.Pages;

/// <summary>
/// The preferences page, reached only through the signed link in every digest: keywords, exclusions, send time,
/// size, pause, with the papers of the last 7 days the keywords would have matched, no more than one email holds
/// (updated as you type when JavaScript runs, by the Preview button when it does not). A save that works answers
/// with a redirect to the page (post/redirect/get), so a reload shows it again instead of posting the form twice.
/// </summary>
public static class PreferencesEndpoints
{
    public static IEndpointRouteBuilder MapPreferencesPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/preferences", ShowAsync);
        app.MapPost("/preferences", SaveAsync);
        app.MapGet("/preferences/preview", PreviewFragmentAsync);
        app.MapGet(ScriptPath, () => TypedResults.Text(Script, "text/javascript; charset=utf-8"));
        return app;
    }

    private static Task<IResult> ShowAsync(
        string? token, string? saved, HttpContext context, SignedLink links, LinkSigner signer, ProfileStore profiles, RecentPapersPreview preview,
        IOptions<SiteOptions> site, CancellationToken cancellationToken) =>
        links.AnswerAsync(token, LinkPurpose.Preferences, async subscriber =>
        {
            var profile = await profiles.GetAsync(subscriber.Id, cancellationToken);
            var form = ProfileForm.From(subscriber, profile);
            form.Token = token;
            // the notice reads what is stored, so a link with "saved" in it says nothing a save did not
            var notice = saved != "1" ? null
                : subscriber.PausedAt is not null ? "Saved. Your digests are paused until you untick “Pause”."
                : "Saved. Your next digest uses these settings.";
            return await PageAsync(context, signer, site.Value, subscriber, form, [], notice, SavedPapersPerEmail(profile), preview, cancellationToken);
        }, cancellationToken);

    private static Task<IResult> SaveAsync(
        [FromForm] ProfileForm form, HttpContext context, SignedLink links, LinkSigner signer, SubscriptionService subscriptions, ProfileStore profiles,
        RecentPapersPreview preview, IOptions<SiteOptions> site, CancellationToken cancellationToken) =>
        links.AnswerAsync(form.Token, LinkPurpose.Preferences, async subscriber =>
        {
            form.Email = subscriber.Email;
            var (settings, errors) = form.Read();
            if (settings is not null && form.Action != "preview")
            {
                try
                {
                    // the page has no field for the minimum score (an admin sets it): the change leaves it as stored
                    await subscriptions.UpdateAsync(subscriber.Id, new SubscriptionChange(
                        form.Name ?? "", settings.Keywords, settings.Exclusions, settings.MaxPapers, null, settings.SendHour, settings.TimeZone,
                        Paused: form.Paused is not null,
                        Delivery: form.Delivery) { Frequency = settings.Frequency, Weekday = settings.Weekday, Focus = settings.Focus }, cancellationToken);
                    return new SeeOtherHttpResult($"/preferences?token={Uri.EscapeDataString(form.Token!)}&saved=1");
                }
                catch (Exception e) when (e is ProfileValidationException or SubscriptionException)
                {
                    var (field, message) = ProfileForm.ErrorOf(e);
                    errors[field] = message;
                }
            }
            var saved = SavedPapersPerEmail(await profiles.GetAsync(subscriber.Id, cancellationToken));
            return await PageAsync(context, signer, site.Value, subscriber, form, errors, null, saved, preview, cancellationToken);
        }, cancellationToken);

    private static Task<IResult> PreviewFragmentAsync(
        string? token, string? keywords, string? exclude, string? maxPapers, string? focus, SignedLink links, ProfileStore profiles, RecentPapersPreview preview,
        IOptions<SiteOptions> site, CancellationToken cancellationToken) =>
        links.AnswerAsync(token, LinkPurpose.Preferences, async subscriber =>
        {
            var saved = ProfileForm.NeedsSaved(maxPapers, focus) ? await profiles.GetAsync(subscriber.Id, cancellationToken) : null;
            var papersPerEmail = ProfileForm.PapersPerEmail(maxPapers) ?? SavedPapersPerEmail(saved);
            var fragment = await PreviewAsync(site.Value, preview, ProfileForm.Lines(keywords), ProfileForm.Lines(exclude), papersPerEmail,
                ProfileForm.FocusOf(focus, saved?.Focus), cancellationToken);
            return TypedResults.Content(fragment.Value, "text/html; charset=utf-8");
        }, cancellationToken);

    private static async Task<IResult> PageAsync(
        HttpContext context, LinkSigner signer, SiteOptions site, Subscriber subscriber, ProfileForm form, Dictionary<string, string> errors, string? notice,
        int savedPapersPerEmail, RecentPapersPreview preview, CancellationToken cancellationToken)
    {
        var unsubscribe = signer.Url("unsubscribe", subscriber.Id, subscriber.Secret, LinkPurpose.Unsubscribe);
        var previewHtml = errors.ContainsKey("keywords") || errors.ContainsKey("exclude")
            ? Html.Of($"""<p class="hint">Fix the keywords to see which papers they match.</p>""")
            : await PreviewAsync(site, preview, ProfileForm.Lines(form.Keywords), ProfileForm.Lines(form.Exclude),
                ProfileForm.PapersPerEmail(form.MaxPapers) ?? savedPapersPerEmail, ProfileForm.FocusOf(form.Focus, null), cancellationToken);
        var archive = context.RequestServices.GetRequiredService<DigestArchive>();
        var archiveHtml = await archive.RenderAsync(subscriber, cancellationToken);
        var status = subscriber.Status switch
        {
            SubscriberStatus.Unsubscribed => "You are unsubscribed: saving keeps these settings for when you subscribe again.",
            SubscriberStatus.Suppressed => "Your mail server refused our last digest, so sending is stopped. Contact the site's admin.",
            SubscriberStatus.Pending => "Your subscription is not confirmed yet: open the link in the confirmation email.",
            _ => null,
        };
        return PageLayout.Page(site.Name, "Your digest", Html.Of($"""
            <p>Settings for <strong>{subscriber.Email}</strong>.</p>
            {Html.When(status is not null, Html.Of($"""<p class="notice">{status}</p>"""))}
            {Html.When(notice is not null, Html.Of($"""<p class="notice" role="status">{notice}</p>"""))}
            {ProfileFields.Summary(errors)}
            <form method="post" action="/preferences" data-preview="/preferences/preview" novalidate>
            {FormProtection.Field(context)}
            <input type="hidden" name="token" value="{form.Token}">
            {ProfileFields.Name(form, errors)}
            {ProfileFields.Render(form, errors)}
            {ProfileFields.Delivery(form, errors)}
            <label><input type="checkbox" name="paused"{(form.Paused is not null ? new Markup(" checked") : Markup.Empty)}> Pause my digests</label>
            <div class="row"><div>
            <button type="submit" name="action" value="save">Save</button>
            <button type="submit" name="action" value="preview" class="secondary">Preview</button>
            </div></div>
            </form>
            <h2>Papers these keywords would have matched</h2>
            <div id="preview" aria-live="polite">{previewHtml}</div>
            {archiveHtml}
            <p><a href="{unsubscribe}">Unsubscribe</a></p>
            <script src="/assets/preferences.js" defer></script>
            """), errors.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest,
            head: archive.FeedLink(subscriber));
    }

    /// <summary>What the preview is capped at while the typed "Papers per email" is empty or one the form would refuse.</summary>
    private static int SavedPapersPerEmail(StoredProfile? profile) => profile?.MaxPapers ?? Profile.DefaultMaxPapers;

    /// <summary>The list of recent papers the keywords match, as the preview shows it (also the admin console's editor).</summary>
    public static async Task<Markup> PreviewAsync(
        SiteOptions site, RecentPapersPreview preview, IReadOnlyList<string> keywords, IReadOnlyList<string> exclusions, int papersPerEmail, ProfileFocus focus,
        CancellationToken cancellationToken)
    {
        if (keywords.Count == 0)
        {
            return Html.Of($"""<p class="hint">Enter keywords to see which recent papers they match.</p>""");
        }
        PreviewResult result;
        try
        {
            result = await preview.MatchAsync(keywords, exclusions, papersPerEmail, focus, cancellationToken);
        }
        catch (ProfileValidationException e)
        {
            return Html.Of($"""<p class="error">{ProfileForm.ErrorOf(e).Message}</p>""");
        }
        if (result.LatestDay is null)
        {
            return Html.Of($"""<p class="hint">No papers have been listed yet.</p>""");
        }
        var days = $"in the {RecentPapersPreview.Days} days up to {result.LatestDay:yyyy-MM-dd}";
        if (result.Total == 0)
        {
            return Html.Of($"""<p>No papers {days} match these keywords.</p>""");
        }
        return Html.Of($"""
            <p>{result.Total} {(result.Total == 1 ? "paper" : "papers")} {days}{HowManyShown(result)}:</p>
            <ol class="papers">
            {Html.Join(result.Papers.Select(p => Html.Of($"""
                <li><a href="{site.PaperUrl.Replace("{id}", p.Paper.Id, StringComparison.Ordinal)}">{p.Paper.Title}</a>
                <div class="why">Matched: {string.Join(", ", p.Matched)}{(p.Paper.Upvotes > 0 ? $" · ▲ {p.Paper.Upvotes}" : "")}</div></li>
                """)))}
            </ol>
            """);
    }

    private static string HowManyShown(PreviewResult result) =>
        result.Total <= result.Papers.Count ? ""
        : result.Papers.Count == result.PapersPerEmail ? $", the best {result.Papers.Count} shown, as many as one email holds"
        : $", the best {result.Papers.Count} shown";

    /// <summary>
    /// The live preview's script, for every form with a <c>data-preview</c> address (the preferences page, the
    /// admin console's editor): it sends that address the fields it has of token, keywords, exclude, maxPapers and focus.
    /// </summary>
    public const string ScriptPath = "/assets/preferences.js";

    private const string Script =
        """
        // Live preview: re-asks the server which recent papers the keywords match, a moment after typing stops.
        (() => {
          const form = document.querySelector('form[data-preview]');
          const target = document.getElementById('preview');
          if (!form || !target || !window.fetch) return;
          let timer = 0, asked = 0;
          const refresh = async () => {
            const mine = ++asked;
            const query = new URLSearchParams();
            for (const name of ['token', 'keywords', 'exclude', 'maxPapers', 'focus']) if (form.elements[name]) query.set(name, form.elements[name].value);
            try {
              const response = await fetch(form.dataset.preview + '?' + query, { headers: { 'Accept': 'text/html' } });
              if (mine === asked && response.ok) target.innerHTML = await response.text();
            } catch { /* the Preview button still works */ }
          };
          for (const field of [form.keywords, form.exclude, form.maxPapers]) {
            field.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(refresh, 350); });
          }
          for (const choice of form.querySelectorAll('input[name="focus"]')) choice.addEventListener('change', refresh);
        })();
        """;
}
