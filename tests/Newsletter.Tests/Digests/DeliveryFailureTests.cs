using System.Diagnostics;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Digests;

/// <summary>Refusals, greylisting and a sending process killed mid-run, against the aiosmtpd test server.</summary>
public sealed class DeliveryFailureTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private TestApp App(int port, params string[] more) => new([
        "--Smtp:Host=127.0.0.1", $"--Smtp:Port={port}", "--Smtp:Security=None", "--Smtp:MaxPerSecond=0", "--Smtp:RetryBaseDelayMilliseconds=50",
        "--Smtp:From=digest@papers.example.org", .. more]);

    private static async Task SubscribeAsync(TestApp app, IEnumerable<string> emails)
    {
        foreach (var email in emails)
        {
            var result = await app.RunAsync("subscribers", "add", "--email", email, "--keyword", "reinforcement learning", "--confirmed");
            Assert.True(result.ExitCode == 0, result.ToString());
        }
    }

    [Fact]
    public async Task A_permanent_refusal_suppresses_that_address_and_everyone_else_still_gets_one_digest()
    {
        await using var server = await SmtpTestServer.StartAsync(_dir.File("accepted.jsonl"));
        using var app = App(server.Port);
        await SubscribeAsync(app, ["reject-ada@example.org", "bob@example.org", "tempfail-2-carol@example.org"]);
        await app.RunAsync("ingest", "--from", Corpus.ApiDay("2026-03-11"));

        var run = await app.RunAsync("digest", "run", "--date", "2026-03-11", "--skip-ingest", "--json");

        Assert.Equal(1, run.ExitCode); // something failed, and the exit code says so
        Assert.Equal(2, run.Json().GetProperty("sent").GetInt32());
        Assert.Equal(1, run.Json().GetProperty("suppressed").GetInt32());
        var accepted = server.Accepted().Select(to => to.Single()).ToList();
        Assert.Equal(["bob@example.org", "tempfail-2-carol@example.org"], accepted.Order());
        var ada = (await app.RunAsync("subscribers", "list", "--json")).Json().EnumerateArray().Single(s => s.GetProperty("email").GetString() == "reject-ada@example.org");
        Assert.Equal("suppressed", ada.GetProperty("status").GetString());
        Assert.StartsWith("550", ada.GetProperty("statusReason").GetString());

        var tomorrow = await app.RunAsync("digest", "run", "--date", "2026-03-11", "--skip-ingest", "--json");
        Assert.Equal(0, tomorrow.Json().GetProperty("sent").GetInt32());
        Assert.Equal(2, server.Accepted().Count);
    }

    [Fact]
    public async Task A_process_killed_mid_send_then_restarted_sends_every_digest_exactly_once()
    {
        var log = _dir.File("accepted.jsonl");
        var recipients = Enumerable.Range(0, 30).Select(i => $"reader{i:D2}@example.org").ToList();
        int stalledPort;
        // a lease far longer than the test: the killed sender's claims must be taken over because it is known dead, not because they lapsed
        using var setup = App(1, "--Smtp:TimeoutSeconds=120", "--Delivery:ClaimLeaseSeconds=600");
        await using (var stalling = await SmtpTestServer.StartAsync(log, stallAfter: 10))
        {
            stalledPort = stalling.Port;
            string[] settings = [.. setup.Settings, $"--Smtp:Port={stalling.Port}"];
            await SubscribeAsync(setup, recipients);
            await setup.RunAsync("ingest", "--from", Corpus.ApiDay("2026-03-11"));

            // the real program in its own process, killed once 10 digests were accepted and 4 more are in flight
            var program = Path.Combine(AppContext.BaseDirectory, "newsletter.dll");
            using var child = Process.Start(new ProcessStartInfo("dotnet", [program, "digest", "run", "--date", "2026-03-11", "--skip-ingest", .. settings])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var clock = Stopwatch.StartNew();
            while (stalling.Accepted().Count < 10 && clock.Elapsed < TimeSpan.FromSeconds(60) && !child.HasExited)
            {
                await Task.Delay(50);
            }
            await Task.Delay(500);
            if (child.HasExited)
            {
                Assert.Fail("the run ended before it could be killed: " + await child.StandardError.ReadToEndAsync());
            }
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
            Assert.Equal(10, stalling.Accepted().Count);
        }

        await using var healthy = await SmtpTestServer.StartAsync(log);
        var resuming = Stopwatch.StartNew();
        var resumed = await setup.RunAsync("digest", "run", "--date", "2026-03-11", "--skip-ingest", "--json", $"--Smtp:Port={healthy.Port}");

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.True(resuming.Elapsed < TimeSpan.FromSeconds(60), $"the rerun waited {resuming.Elapsed.TotalSeconds:0} s for a dead sender's claims");
        var runs = (await setup.RunAsync("runs", "list", "--json")).Json().EnumerateArray().ToList();
        var killed = Assert.Single(runs, r => r.GetProperty("id").GetString() != resumed.Json().GetProperty("runId").GetString());
        Assert.Equal("abandoned", killed.GetProperty("status").GetString());
        Assert.Contains("its process stopped before the run finished", killed.GetProperty("error").GetString());
        Assert.Equal(20, resumed.Json().GetProperty("sent").GetInt32());
        var perRecipient = healthy.Accepted().Select(to => to.Single()).GroupBy(r => r).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(recipients, perRecipient.Keys.Order());
        Assert.All(perRecipient.Values, count => Assert.Equal(1, count));
        Assert.NotEqual(stalledPort, healthy.Port);
    }
}
