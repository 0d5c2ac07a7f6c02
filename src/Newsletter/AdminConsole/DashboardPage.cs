using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Newsletter.Inbound;
using Newsletter.Scheduling;
using Newsletter.Subscribers;
using Newsletter.Web.Pages;

namespace Newsletter.AdminConsole;

/// <summary>
/// /admin/dashboard: the last and next runs, subscribers by status, today's sends, what came back over 7 days
/// against the limits doctor judges by, and the last 30 days' sends as a chart drawn here (SVG, no script).
/// </summary>
public static class DashboardPage
{
    public const int ChartDays = 30;
    /// <summary>More runs than 30 days of the hourly schedule make, so the chart's days are complete.</summary>
    private const int RunsRead = 1000;

    public static RouteGroupBuilder MapConsoleDashboard(this RouteGroupBuilder console)
    {
        console.MapGet("/dashboard", ShowAsync);
        return console;
    }

    private static async Task<IResult> ShowAsync(
        HttpContext context, RunLog runLog, SubscriberStore subscribers, InboundLog inbound, IOptions<ScheduleOptions> schedule, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var runs = await runLog.ListAsync(RunsRead, cancellationToken);
        var counts = new List<(string Status, long Count)>();
        foreach (var status in SubscriberListPage.Statuses)
        {
            counts.Add((status, (await subscribers.PageAsync(status, null, 1, 1, cancellationToken)).Total));
        }
        var todays = runs.Where(r => Day(r.StartedAt) == today).ToList();
        var rates = await inbound.RatesAsync(now - ReturnRateLimits.Period, cancellationToken);
        var perDay = Enumerable.Range(0, ChartDays).Select(i => today.AddDays(i - ChartDays + 1))
            .Select(d => (Day: d, Sent: runs.Where(r => Day(r.StartedAt) == d).Sum(r => r.Sent))).ToList();
        var last = runs.FirstOrDefault();
        return ConsolePage.Page(context, "Dashboard", Html.Of($"""
            <h2>Runs</h2>
            <dl class="facts">
            <dt>Last run</dt><dd>{(last is null ? Html.Of($"none yet") : Html.Of($"""<a href="/admin/runs/{last.Id}">{last.StartedAt}</a>: {last.Status}, {last.Sent} sent, {last.Failed} failed, {last.Suppressed} suppressed in {RunPages.Duration(last.DurationMs)}; phases {string.Join(", ", last.Phases.Select(p => $"{p.Phase} {RunPages.Duration(p.DurationMs)}"))}"""))}</dd>
            <dt>Next run</dt><dd>{NextRun(schedule.Value, now)}</dd>
            </dl>
            <h2>Subscribers</h2>
            <dl class="facts">{Html.Join(counts.Select(c => Html.Of($"""<dt><a href="/admin/subscribers?status={c.Status}">{c.Status}</a></dt><dd>{c.Count}</dd>""")))}</dl>
            <h2>Today ({today:yyyy-MM-dd}, UTC)</h2>
            <dl class="facts"><dt>Sent</dt><dd>{todays.Sum(r => r.Sent)}</dd><dt>Failed</dt><dd>{todays.Sum(r => r.Failed)}</dd><dt>Suppressed</dt><dd>{todays.Sum(r => r.Suppressed)}</dd></dl>
            <h2>Came back in the last 7 days</h2>
            {(rates.Sent == 0 ? Html.Of($"""<p>No digest sent in the last 7 days: no bounce or complaint rate to judge.</p>""") : Html.Of($"""
                <dl class="facts">
                <dt>Bounces</dt><dd>{Rate(rates.Bounced, rates.Sent, ReturnRateLimits.BounceWarning, ReturnRateLimits.BounceFailure)}</dd>
                <dt>Complaints</dt><dd>{Rate(rates.Complained, rates.Sent, ReturnRateLimits.ComplaintWarning, ReturnRateLimits.ComplaintFailure)}</dd>
                </dl>
                """))}
            <h2>Sends over the last {ChartDays} days</h2>
            {Chart(perDay)}
            """));
    }

    private static DateOnly? Day(string stamp) =>
        DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? DateOnly.FromDateTime(at.UtcDateTime) : null;

    private static string NextRun(ScheduleOptions schedule, DateTimeOffset now)
    {
        if (!schedule.Enabled)
        {
            return "the schedule is off (Schedule:Enabled=false): runs start by hand or through the API";
        }
        var next = new Quartz.CronExpression(schedule.Cron).GetNextValidTimeAfter(now);
        return next is { } at ? $"{at.ToUniversalTime():yyyy-MM-dd HH:mm} UTC (Schedule:Cron {schedule.Cron})" : $"never (Schedule:Cron {schedule.Cron})";
    }

    private static string Rate(long count, long sent, double warning, double failure)
    {
        var rate = (double)count / sent;
        var verdict = rate >= failure ? "FAILED: over the limit" : rate >= warning ? "warning" : "ok";
        return string.Create(CultureInfo.InvariantCulture, $"{count} of {sent} sent ({rate:0.###%}): {verdict}; warning at {warning:0.#%}, failure at {failure:0.#%}");
    }

    /// <summary>A bar a day, scaled to the busiest day; the numbers are in its title and label for screen readers and tooltips.</summary>
    private static Markup Chart(IReadOnlyList<(DateOnly Day, long Sent)> days)
    {
        const int width = 600, height = 160, bottom = 140;
        var most = Math.Max(1, days.Max(d => d.Sent));
        var bar = (double)width / days.Count;
        var total = days.Sum(d => d.Sent);
        var label = $"Digests sent per day from {days[0].Day:yyyy-MM-dd} to {days[^1].Day:yyyy-MM-dd}: {total} in all, at most {days.Max(d => d.Sent)} on a day.";
        return Html.Of($"""
            <svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{label}" style="max-width: 40rem; display: block">
            <title>{label}</title>
            <g style="fill: var(--accent)">
            {Html.Join(days.Select((d, i) => Html.Of($"""<rect x="{(i * bar + 1).ToString("0.#", CultureInfo.InvariantCulture)}" y="{(bottom - d.Sent * 130.0 / most).ToString("0.#", CultureInfo.InvariantCulture)}" width="{(bar - 2).ToString("0.#", CultureInfo.InvariantCulture)}" height="{(d.Sent * 130.0 / most).ToString("0.#", CultureInfo.InvariantCulture)}"><title>{d.Day:yyyy-MM-dd}: {d.Sent} sent</title></rect>""")))}
            </g>
            <g style="fill: var(--text); font-size: 12px">
            <line x1="0" y1="{bottom}" x2="{width}" y2="{bottom}" style="stroke: var(--muted)"/>
            <text x="0" y="{height - 4}">{days[0].Day:MM-dd}</text>
            <text x="{width}" y="{height - 4}" text-anchor="end">{days[^1].Day:MM-dd}</text>
            <text x="0" y="12">{most}</text>
            </g>
            </svg>
            """);
    }
}
