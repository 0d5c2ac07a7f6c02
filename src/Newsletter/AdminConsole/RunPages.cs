using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Newsletter.Scheduling;
using Newsletter.Subscribers;
using Newsletter.Web.Pages;

namespace Newsletter.AdminConsole;

/// <summary>/admin/runs: the run history with phases and counts; /admin/runs/{id}: one run, its phases and the digests it gave up on, with the server's words.</summary>
public static class RunPages
{
    public const int Shown = 100;

    public static RouteGroupBuilder MapConsoleRuns(this RouteGroupBuilder console)
    {
        console.MapGet("/runs", ListAsync);
        console.MapGet("/runs/{id}", ShowAsync);
        console.MapConsoleDigest();
        return console;
    }

    private static async Task<IResult> ListAsync(HttpContext context, RunLog runs, CancellationToken cancellationToken)
    {
        var list = await runs.ListAsync(Shown, cancellationToken);
        return ConsolePage.Page(context, "Runs", list.Count == 0
            ? Html.Of($"""<p>No digest run yet.</p>""")
            : Html.Of($"""
                <p>The last {list.Count} runs, newest first.</p>
                {ConsolePage.Table("Runs", Html.Of($"""
                    <th scope="col">Started</th><th scope="col">Kind</th><th scope="col">Day</th><th scope="col">Status</th><th scope="col">Sent</th><th scope="col">Failed</th>
                    <th scope="col">Suppressed</th><th scope="col">Duration</th><th scope="col">Phases</th>
                    """), list.Select(Row))}
                """));
    }

    private static Markup Row(RunRecord r) => Html.Of($"""
        <tr><td><a href="/admin/runs/{r.Id}">{r.StartedAt}</a></td><td>{r.Kind}</td><td>{r.DigestDate ?? ""}</td><td>{r.Status}</td><td>{r.Sent}</td><td>{r.Failed}</td>
        <td>{r.Suppressed}</td><td>{Duration(r.DurationMs)}</td><td>{string.Join(", ", r.Phases.Select(p => $"{p.Phase} {Duration(p.DurationMs)}"))}</td></tr>
        """);

    private static async Task<IResult> ShowAsync(string id, HttpContext context, RunLog runs, SubscriberStore subscribers, CancellationToken cancellationToken)
    {
        var run = await runs.FindAsync(id, cancellationToken);
        if (run is null)
        {
            return ConsolePage.Page(context, "No such run", Html.Of($"""<p role="alert">There is no run with the id {id}.</p><p><a href="/admin/runs">Back to the runs</a></p>"""),
                StatusCodes.Status404NotFound);
        }
        var who = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id2 in run.Failures.Select(f => f.SubscriberId).Distinct())
        {
            if (await subscribers.GetAsync(id2, cancellationToken) is { } s)
            {
                who[id2] = s.Email;
            }
        }
        return ConsolePage.Page(context, $"Run of {run.StartedAt}", Html.Of($"""
            <dl class="facts">
            <dt>Kind</dt><dd>{run.Kind}{(run.DigestDate is null ? "" : $", listing day {run.DigestDate}")}</dd>
            <dt>Status</dt><dd>{run.Status}{(run.Error is null ? "" : $": {run.Error}")}</dd>
            <dt>Node</dt><dd>{run.Node}</dd>
            <dt>Duration</dt><dd>{Duration(run.DurationMs)}{(run.FinishedAt is null ? " (still running)" : $", finished {run.FinishedAt}")}</dd>
            <dt>Counts</dt><dd>{run.Papers} papers, {run.Planned} planned, {run.Sent} sent, {run.Failed} failed, {run.Suppressed} suppressed, {run.Deferred} deferred, {run.Retried} retried; later {run.Bounced} bounced, {run.Complained} complaints</dd>
            </dl>
            <h2>Phases</h2>
            {(run.Phases.Count == 0 ? Html.Of($"""<p>No phase recorded.</p>""") : ConsolePage.Table("Phases",
                Html.Of($"""<th scope="col">Phase</th><th scope="col">Started</th><th scope="col">Duration</th><th scope="col">Items</th><th scope="col">Error</th>"""),
                run.Phases.Select(p => Html.Of($"""<tr><td>{p.Phase}</td><td>{p.StartedAt}</td><td>{Duration(p.DurationMs)}</td><td>{p.Items}</td><td>{p.Error ?? ""}</td></tr>"""))))}
            <h2>Failures</h2>
            {(run.Failures.Count == 0 ? Html.Of($"""<p>The run gave up on no digest.</p>""") : ConsolePage.Table("Failures",
                Html.Of($"""<th scope="col">Who</th><th scope="col">Day</th><th scope="col">Kind</th><th scope="col">The server's words</th><th scope="col">When</th>"""),
                run.Failures.Select(f => Html.Of($"""
                    <tr><td><a href="/admin/subscribers/{f.SubscriberId}">{who.GetValueOrDefault(f.SubscriberId, f.SubscriberId)}</a></td><td>{f.DigestDate}</td><td>{f.Failure ?? ""}</td><td>{f.Reason ?? ""}</td><td>{f.FailedAt}</td></tr>
                    """))))}
            {Html.When(run.Failures.Count >= RunLog.FailuresShown, Html.Of($"""<p class="hint">The first {RunLog.FailuresShown} failures are shown.</p>"""))}
            """));
    }

    public static string Duration(long? ms) => ms switch
    {
        null => "",
        < 1000 => $"{ms} ms",
        < 60_000 => $"{ms / 1000.0:0.0} s",
        _ => $"{ms / 60_000} min {ms % 60_000 / 1000} s",
    };
}
