using System.Globalization;
using Newsletter.Matching;
using Newsletter.Subscribers;

namespace Newsletter.Web.Pages;

/// <summary>The keyword, exclusion, send-time and size fields shared by the subscribe and preferences pages.</summary>
public static class ProfileFields
{
    private static readonly Lazy<Markup> TimeZoneOptions = new(() => Html.Join(
        TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Append("UTC").Distinct().Order(StringComparer.Ordinal)
            .Select(id => Html.Of($"<option value=\"{id}\"></option>"))));

    public static Markup Render(ProfileForm form, IReadOnlyDictionary<string, string> errors) => Html.Of($"""
        {Field("keywords", "Keywords", "One per line. A paper matches a line when it has all its words.", errors,
            Html.Of($"""<textarea id="keywords" name="keywords" rows="5" required spellcheck="false" maxlength="{ProfileForm.MaxKeywordsLength}" {Invalid("keywords", errors)}>{form.Keywords}</textarea>"""))}
        <details><summary>How to write keywords</summary>
        <ul>
        <li><code>reinforcement learning</code> and <code>"reinforcement learning"</code>: these words next to each other, in this order.</li>
        <li><code>RL</code>: capitals make an acronym, matched only in capitals (also <code>RLs</code>).</li>
        <li><code>LoRA OR adapters</code>, <code>diffusion AND (video OR 3D)</code>, <code>quantization NOT survey</code>.</li>
        <li>Inflections and spelling variants match: <code>fine-tuning</code> finds “finetuned” and “fine tuning”.</li>
        <li><code>title:diffusion</code>, <code>abstract:"graph neural network"</code>: only in the title, only in the abstract.</li>
        <li><code>author:Hinton</code> (a last name) or <code>author:"Geoffrey Hinton"</code>; <code>category:cs.CL</code>
        (<code>category:cs</code>: all of cs); <code>source:arxiv</code>. Combine them: <code>title:"graph neural network" AND NOT category:cs.CV</code>.</li>
        </ul></details>
        {Field("exclude", "Never send papers about", "Optional, one per line, same syntax.", errors,
            Html.Of($"""<textarea id="exclude" name="exclude" rows="2" spellcheck="false" maxlength="{ProfileForm.MaxKeywordsLength}" {Invalid("exclude", errors)}>{form.Exclude}</textarea>"""))}
        <div class="row">
        <div>{Field("sendHour", "Send at", "Local hour of the day.", errors, Html.Of($"""<select id="sendHour" name="sendHour" {Invalid("sendHour", errors)}>{Hours(form.SendHour)}</select>"""))}</div>
        <div>{Field("timeZone", "Time zone", "e.g. Europe/Berlin", errors,
            Html.Of($"""<input id="timeZone" name="timeZone" type="text" list="zones" autocomplete="off" value="{form.TimeZone ?? "UTC"}" {Invalid("timeZone", errors)}><datalist id="zones">{TimeZoneOptions.Value}</datalist>"""))}</div>
        <div>{Field("maxPapers", "Papers per email", $"1 to {Profile.MaxMaxPapers}.", errors,
            Html.Of($"""<input id="maxPapers" name="maxPapers" type="number" min="1" max="{Profile.MaxMaxPapers}" inputmode="numeric" value="{form.MaxPapers ?? Profile.DefaultMaxPapers.ToString(CultureInfo.InvariantCulture)}" {Invalid("maxPapers", errors)}>"""))}</div>
        </div>
        {Frequency(form, errors)}
        {Focus(form, errors)}
        """);

    /// <summary>How the digest arrives: by email (the default) or only in the private feed, a group of two radio buttons.</summary>
    public static Markup Delivery(ProfileForm form, IReadOnlyDictionary<string, string> errors)
    {
        var feed = string.Equals(form.Delivery?.Trim(), Subscribers.DeliveryMode.Feed, StringComparison.OrdinalIgnoreCase);
        var invalid = errors.ContainsKey("delivery") ? new Markup(" aria-invalid=\"true\" aria-describedby=\"delivery-error\"") : Markup.Empty;
        return Html.Of($"""
            <fieldset id="delivery"{invalid}>
            <legend>Get my digest</legend>
            {Html.When(errors.ContainsKey("delivery"), Html.Of($"""<p class="error" id="delivery-error">{errors.GetValueOrDefault("delivery")}</p>"""))}
            <label><input type="radio" name="delivery" value="email"{(feed ? Markup.Empty : new Markup(" checked"))}> By email</label>
            <label><input type="radio" name="delivery" value="feed"{(feed ? new Markup(" checked") : Markup.Empty)}> Only in my private feed (Atom), no email</label>
            </fieldset>
            """);
    }

    /// <summary>Broad or focused (<see cref="ProfileFocus"/>), as two radio buttons.</summary>
    private static Markup Focus(ProfileForm form, IReadOnlyDictionary<string, string> errors)
    {
        var focused = ProfileFocusNames.TryParse(form.Focus, out var chosen) && chosen == ProfileFocus.Focused;
        Markup Option(string value, string label, bool isChecked) => Html.Of(
            $"""<label class="choice"><input type="radio" name="focus" value="{value}"{(isChecked ? new Markup(" checked") : Markup.Empty)} {Invalid("focus", errors)}> {label}</label>""");
        return Html.Of($"""
            <fieldset id="focus"><legend>Which papers</legend>
            <p class="hint" id="focus-hint">Focused leaves out papers that mention a keyword only in passing: it keeps those with a keyword in the title or twice in the abstract, most central first.</p>
            {Html.When(errors.ContainsKey("focus"), Html.Of($"""<p class="error" id="focus-error">{errors.GetValueOrDefault("focus")}</p>"""))}
            {Option(ProfileFocusNames.Broad, "Broad: every paper that mentions a keyword", !focused)}
            {Option(ProfileFocusNames.Focused, "Focused: papers about a keyword", focused)}
            </fieldset>
            """);
    }

    private static readonly (string Value, string Label)[] Frequencies =
        [(DigestFrequency.Daily, "Every day with new papers"), (DigestFrequency.Weekdays, "Monday to Friday"), (DigestFrequency.Weekly, "Once a week")];

    /// <summary>
    /// How often, as a group of radio buttons under its legend (the first one carries the field's id, so the error
    /// summary's link lands on the group), and the day of a weekly digest. Every digest covers the days since the last.
    /// </summary>
    private static Markup Frequency(ProfileForm form, IReadOnlyDictionary<string, string> errors)
    {
        var chosen = form.Frequency ?? DigestFrequency.Daily;
        var weekday = form.Weekday ?? DigestFrequency.DefaultWeekday;
        var radios = Html.Join(Frequencies.Select((f, i) => Html.Of($"""
            <label class="choice"><input type="radio" id="{(i == 0 ? "frequency" : "frequency-" + f.Value)}" name="frequency" value="{f.Value}"{(f.Value == chosen ? new Markup(" checked") : Markup.Empty)}> {f.Label}</label>
            """)));
        var days = Html.Join(DigestFrequency.WeekdayNames.Select(d => Html.Of(
            $"""<option value="{d}"{(d == weekday ? new Markup(" selected") : Markup.Empty)}>{CultureInfo.InvariantCulture.TextInfo.ToTitleCase(d)}</option>""")));
        return Html.Of($"""
            <fieldset {Invalid("frequency", errors)}><legend>How often</legend>
            <p class="hint" id="frequency-hint">Each email covers every day with new papers since the one before.</p>
            {Html.When(errors.ContainsKey("frequency"), Html.Of($"""<p class="error" id="frequency-error">{errors.GetValueOrDefault("frequency")}</p>"""))}
            {radios}
            </fieldset>
            {Field("weekday", "Day of the weekly email", "Used when you choose once a week.", errors,
                Html.Of($"""<select id="weekday" name="weekday" {Invalid("weekday", errors)}>{days}</select>"""))}
            """);
    }

    /// <summary>The optional name the digest greets the subscriber with (on both forms, so saving preferences keeps it).</summary>
    public static Markup Name(ProfileForm form, IReadOnlyDictionary<string, string> errors) =>
        Field("name", "Name", "Optional: how the email greets you.", errors,
            Html.Of($"""<input id="name" name="name" type="text" autocomplete="name" maxlength="{ProfileForm.MaxNameLength}" value="{form.Name}" {Invalid("name", errors)}>"""));

    /// <summary>A labelled control with its hint and, when there is one, its error, tied together for screen readers.</summary>
    public static Markup Field(string name, string label, string hint, IReadOnlyDictionary<string, string> errors, Markup control) => Html.Of($"""
        <label for="{name}">{label}</label>
        <p class="hint" id="{name}-hint">{hint}</p>
        {Html.When(errors.ContainsKey(name), Html.Of($"""<p class="error" id="{name}-error">{errors.GetValueOrDefault(name)}</p>"""))}
        {control}
        """);

    /// <summary>
    /// A list of every problem at the top of the form, announced to screen readers, each linking to its field. It
    /// takes the focus when the page loads (autofocus, no script), so keyboard and screen-reader users start at
    /// what went wrong rather than at the top of the page, and the next Tab reaches the first problem's link.
    /// </summary>
    public static Markup Summary(IReadOnlyDictionary<string, string> errors) => errors.Count == 0 ? Markup.Empty : Html.Of($"""
        <div class="summary" role="alert" tabindex="-1" autofocus><p><strong>Please fix {(errors.Count == 1 ? "this" : "these")}:</strong></p><ul>
        {Html.Join(errors.Select(e => Html.Of($"""<li><a href="#{e.Key}">{e.Value}</a></li>""")))}
        </ul></div>
        """);

    public static Markup Invalid(string name, IReadOnlyDictionary<string, string> errors) => errors.ContainsKey(name)
        ? Html.Of($"""aria-invalid="true" aria-describedby="{name}-hint {name}-error" """)
        : Html.Of($"""aria-describedby="{name}-hint" """);

    private static Markup Hours(string? selected)
    {
        var chosen = int.TryParse(selected, NumberStyles.None, CultureInfo.InvariantCulture, out var h) ? h : 8;
        return Html.Join(Enumerable.Range(0, 24).Select(hour => Html.Of(
            $"""<option value="{hour}"{(hour == chosen ? new Markup(" selected") : Markup.Empty)}>{hour:00}:00</option>""")));
    }
}
