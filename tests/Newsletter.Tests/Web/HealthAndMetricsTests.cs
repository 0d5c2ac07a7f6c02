using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Scheduling;
using Newsletter.Sources;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Web;

/// <summary>/healthz and /metrics: open to monitors (the health details to admins only), and nothing personal in either.</summary>
[Collection(nameof(WebCollection))]
public sealed class HealthAndMetricsTests(WebMaildev maildev)
{
    [Fact]
    public async Task Healthz_reports_database_scheduler_and_smtp()
    {
        await using var host = await WebTestHost.StartAsync(maildev.Server, "--Schedule:Enabled=true");

        var response = await host.Admin.GetAsync("/healthz");
        var health = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.Equal("healthy", health.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("running", health.GetProperty("checks").GetProperty("scheduler").GetProperty("detail").GetString());
        Assert.Contains("accepts connections", health.GetProperty("checks").GetProperty("smtp").GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Healthz_says_degraded_when_the_mail_server_is_unreachable()
    {
        await using var host = await WebTestHost.StartAsync(maildev.Server, "--Smtp:Host=127.0.0.1", $"--Smtp:Port={Ports.Free()}");

        var response = await host.Admin.GetAsync("/healthz");
        var health = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // digests wait in the outbox: the node still serves
        Assert.Equal("degraded", health.GetProperty("status").GetString());
        Assert.Contains("is not reachable", health.GetProperty("checks").GetProperty("smtp").GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Healthz_says_degraded_with_the_count_while_a_failed_digest_is_not_delivered()
    {
        await using var host = await WebTestHost.StartAsync(maildev.Server);
        foreach (var (email, keyword) in new[] { ("ada@example.org", "reinforcement learning"), ("bob@example.org", "diffusion") })
        {
            var added = await host.Admin.PostAsJsonAsync("/admin/api/subscribers", new { email, keywords = new[] { keyword }, confirmed = true });
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        }
        var day = new DateOnly(2026, 3, 11);
        await host.Get<Ingestor>().IngestAsync(new IngestRequest(Corpus.ApiDay("2026-03-11")), CancellationToken.None);
        var papers = await host.Get<Newsletter.Papers.PaperStore>().PapersOnAsync(day, CancellationToken.None);
        await host.Get<Newsletter.Digests.DigestPlanner>().PlanAsync(day, papers, null, record: true, CancellationToken.None);
        host.Query("UPDATE digest_papers SET papers = 'x' || papers WHERE delivery_id LIKE (SELECT id FROM subscribers WHERE email = 'ada@example.org') || ':%'");

        var run = await host.Get<DailyRun>().RunAsync(new RunRequest(day, "manual", SkipIngest: true), CancellationToken.None);
        var health = await host.Admin.GetFromJsonAsync<JsonElement>("/healthz");
        var anonymous = await host.Client.GetFromJsonAsync<JsonElement>("/healthz");

        Assert.Equal((1, 1), (run.Sent.Sent, run.Sent.Failed));
        Assert.Equal("degraded", health.GetProperty("status").GetString());
        var deliveries = health.GetProperty("checks").GetProperty("deliveries");
        Assert.Equal("degraded", deliveries.GetProperty("status").GetString());
        Assert.StartsWith("1 digest failed in the last 24 hours", deliveries.GetProperty("detail").GetString());
        Assert.Contains("compose: could not compose the digest", deliveries.GetProperty("detail").GetString());
        Assert.Equal("degraded", anonymous.GetProperty("status").GetString());

        // fixed and sent again: nothing left to see
        host.Query("UPDATE digest_papers SET papers = substr(papers, 2) WHERE delivery_id LIKE (SELECT id FROM subscribers WHERE email = 'ada@example.org') || ':%'");
        var resent = await host.Admin.PostAsJsonAsync("/admin/api/digests/resend", new { filter = new { deliveryStatus = "failed" }, date = "2026-03-11" });
        Assert.Equal(1, (await resent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sent").GetInt32());
        var after = await host.Admin.GetFromJsonAsync<JsonElement>("/healthz");
        Assert.Equal("healthy", after.GetProperty("checks").GetProperty("deliveries").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Healthz_without_an_admin_key_answers_only_the_status()
    {
        var relayPort = Ports.Free();
        await using var host = await WebTestHost.StartAsync(maildev.Server, "--Smtp:Host=127.0.0.1", $"--Smtp:Port={relayPort}");
        using var wrongKey = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        wrongKey.Headers.TryAddWithoutValidation("Authorization", "Bearer not-the-key-at-all-0123456789");

        foreach (var response in new[] { await host.Client.GetAsync("/healthz"), await host.Client.SendAsync(wrongKey) })
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode); // degraded: still in service
            Assert.Equal("{\"status\":\"degraded\"}", text);
            Assert.DoesNotContain(relayPort.ToString(System.Globalization.CultureInfo.InvariantCulture), text);
        }
        var admin = await host.Admin.GetFromJsonAsync<JsonElement>("/healthz");
        Assert.Contains($"127.0.0.1:{relayPort}", admin.GetProperty("checks").GetProperty("smtp").GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Healthz_connects_to_the_relay_at_most_once_a_minute_whatever_the_call_rate()
    {
        using var relay = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        relay.Start();
        var connections = 0;
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await relay.AcceptTcpClientAsync(stop.Token);
                Interlocked.Increment(ref connections);
            }
        });
        var clock = new FixedClock(DateTimeOffset.UtcNow);
        await using var host = await WebTestHost.StartAsync(null, Backend.Sqlite, s => s.AddSingleton<TimeProvider>(clock),
            "--Smtp:Host=127.0.0.1", $"--Smtp:Port={((IPEndPoint)relay.LocalEndpoint).Port}");

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => host.Client.GetStringAsync("/healthz")));
        for (var i = 0; i < 10; i++)
        {
            await host.Admin.GetStringAsync("/healthz");
        }
        clock.Now += TimeSpan.FromSeconds(59);
        await host.Client.GetStringAsync("/healthz");
        await Task.Delay(200); // any further connection would be accepted by now
        var withinTheMinute = Volatile.Read(ref connections);
        clock.Now += TimeSpan.FromSeconds(2);
        var later = await host.Admin.GetFromJsonAsync<JsonElement>("/healthz");
        await Task.Delay(200);

        Assert.All(answers, a => Assert.Equal("{\"status\":\"healthy\"}", a));
        Assert.Equal(1, withinTheMinute);
        Assert.Equal(2, Volatile.Read(ref connections));
        Assert.Equal("healthy", later.GetProperty("checks").GetProperty("smtp").GetProperty("status").GetString());
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => accepting);
    }

    [Fact]
    public async Task Metrics_count_papers_and_digests_in_prometheus_format_without_personal_data()
    {
        await using var host = await WebTestHost.StartAsync(maildev.Server);
        var add = await host.Admin.PostAsJsonAsync("/admin/api/subscribers", new { email = "ada@example.org", keywords = new[] { "reinforcement learning" }, confirmed = true });
        Assert.Equal(HttpStatusCode.Created, add.StatusCode);
        await host.Get<Ingestor>().IngestAsync(new IngestRequest(Corpus.ApiDay("2026-03-11")), CancellationToken.None);
        await host.Get<DailyRun>().RunAsync(new RunRequest(new DateOnly(2026, 3, 11), "manual", SkipIngest: true), CancellationToken.None);

        var response = await host.Client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        // The meter's name is process-wide, so tests running beside this one in the same process add to the
        // counts: at least what this test did, not exactly.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(Value(text, @"newsletter_papers_ingested_total\{[^}]*change=""new""[^}]*\}") >= 109, text);
        Assert.True(Value(text, @"newsletter_digests_sent_total(\{[^}]*\})?") >= 1, text);
        Assert.True(Value(text, @"newsletter_send_duration_seconds_count(\{[^}]*\})?") >= 1, text);
        Assert.Contains("# TYPE newsletter_send_duration_seconds histogram", text);
        Assert.True(Value(text, @"newsletter_runs_total\{[^}]*kind=""manual""[^}]*status=""succeeded""[^}]*\}") >= 1, text);
        Assert.True(Value(text, @"newsletter_digests_planned_total(\{[^}]*\})?") >= 1, text);
        Assert.True(Value(text, @"newsletter_matches_total(\{[^}]*\})?") >= 1, text);
        foreach (var phase in new[] { "match", "render", "send" })
        {
            Assert.True(Value(text, $@"newsletter_run_phase_duration_seconds_count\{{[^}}]*phase=""{phase}""[^}}]*\}}") >= 1, text);
        }
        Assert.True(Value(text, @"newsletter_last_run_digests\{[^}]*outcome=""sent""[^}]*\}") >= 0, text);
        Assert.True(Value(text, @"newsletter_last_run_duration_seconds(\{[^}]*\})?") >= 0, text);
        Assert.DoesNotContain("ada@", text);
        Assert.DoesNotContain("example.org", text);
    }

    private static double Value(string metrics, string series)
    {
        // hosts of other tests in the process export the same series too: this test's is the largest of them
        var values = System.Text.RegularExpressions.Regex.Matches(metrics, "^" + series + @" (\S+)", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => double.Parse(m.Groups[^1].Value, System.Globalization.CultureInfo.InvariantCulture)) // the last group is the value
            .ToList();
        return values.Count > 0 ? values.Max() : -1;
    }
}
