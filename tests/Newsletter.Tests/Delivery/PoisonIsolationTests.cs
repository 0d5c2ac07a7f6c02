using System.Text.Json.Nodes;
using MimeKit;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Delivery;

/// <summary>One bad paper, digest or message never stops a day: it fails alone, with its reason, and says so.</summary>
public abstract class PoisonIsolationTests(Backend backend) : IAsyncLifetime
{
    private static readonly DateOnly Day = new(2026, 3, 11);
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.CreateAsync(backend);

    public Task DisposeAsync()
    {
        _app.Dispose();
        return Task.CompletedTask;
    }

    private string Outbox => Path.Combine(_app.Dir.Path, "outbox");

    private async Task AddAsync(string email, string keyword)
    {
        var added = await _app.RunAsync("subscribers", "add", "--email", email, "--keyword", keyword, "--confirmed", $"--Smtp:PickupFolder={Outbox}");
        Assert.True(added.ExitCode == 0, added.ToString());
    }

    /// <summary>The corpus day with two titles no subject line could shorten on a space (issue: ArgumentOutOfRangeException).</summary>
    private string PoisonedListing()
    {
        var day = JsonNode.Parse(File.ReadAllText(Corpus.ApiDay("2026-03-11")))!.AsArray();
        void Retitle(int index, string title)
        {
            day[index]!["title"] = title;
            day[index]!["paper"]!["title"] = title;
        }
        Retitle(0, "Zebrafish" + new string('X', 80) + " zebrafish swim");
        Retitle(1, string.Concat(Enumerable.Repeat("斑马鱼", 30)) + " meet axolotls");
        var path = _app.Dir.File("poisoned.json");
        File.WriteAllText(path, day.ToJsonString());
        return path;
    }

    [Fact]
    public async Task A_title_with_no_space_in_its_first_70_characters_is_shortened_and_every_digest_goes_out()
    {
        await AddAsync("ada@example.org", "zebrafish");
        await AddAsync("bob@example.org", "axolotl");
        await AddAsync("carol@example.org", "graph");
        Assert.Equal(0, (await _app.RunAsync("ingest", "--from", PoisonedListing())).ExitCode);

        var run = await _app.RunAsync("digest", "run", "--date", "2026-03-11", "--skip-ingest", "--json", $"--Smtp:PickupFolder={Outbox}");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(3, run.Json().GetProperty("sent").GetInt32());
        Assert.Equal("succeeded", run.Json().GetProperty("status").GetString());
        var subjects = Directory.GetFiles(Outbox, "*.eml", SearchOption.AllDirectories)
            .Select(f => MimeMessage.Load(f)).ToDictionary(m => m.To.Mailboxes.Single().Address, m => m.Subject ?? "");
        // the list, day and count first; the title cut inside its first word, to fill the subject's 78 characters
        Assert.Matches("^Newsletter · 11 Mar: 1 paper: ZebrafishX{38}…$", subjects["ada@example.org"]);
        Assert.Matches($"^Newsletter · 11 Mar: 1 paper: {string.Concat(Enumerable.Repeat("斑马鱼", 15))}斑马…$", subjects["bob@example.org"]);
        Assert.Contains("carol@example.org", subjects.Keys);
    }

    [Fact]
    public async Task A_digest_that_cannot_be_composed_fails_alone_the_run_is_partial_and_says_which_and_why()
    {
        await AddAsync("ada@example.org", "reinforcement learning");
        await AddAsync("bob@example.org", "diffusion");
        await AddAsync("carol@example.org", "language model");
        Assert.Equal(0, (await _app.RunAsync("ingest", "--from", Corpus.ApiDay("2026-03-11"))).ExitCode);
        // record the plan without sending, then damage one digest's stored row the way a bad write or a bug would
        await using (var services = await TestServices.StartAsync(backend, _app.Settings))
        {
            var papers = await services.Get<Newsletter.Papers.PaperStore>().PapersOnAsync(Day, CancellationToken.None);
            var plan = await services.Get<Newsletter.Digests.DigestPlanner>().PlanAsync(Day, papers, null, record: true, CancellationToken.None);
            Assert.Equal(3, plan.Count);
        }
        var adaId = (string)_app.Query("SELECT id FROM subscribers WHERE email = 'ada@example.org'")!;
        _app.Query($"UPDATE digest_papers SET papers = 'x' || papers WHERE delivery_id LIKE '{adaId}:%'");

        var run = await _app.RunAsync("digest", "run", "--date", "2026-03-11", "--skip-ingest", "--json", $"--Smtp:PickupFolder={Outbox}");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(2, run.Json().GetProperty("sent").GetInt32());
        Assert.Equal(1, run.Json().GetProperty("failed").GetInt32());
        Assert.Equal("partial", run.Json().GetProperty("status").GetString());
        Assert.Equal("failed", _app.Query($"SELECT status FROM deliveries WHERE subscriber_id = '{adaId}'"));
        Assert.Equal("compose", _app.Query($"SELECT failure FROM deliveries WHERE subscriber_id = '{adaId}'"));

        var runId = run.Json().GetProperty("runId").GetString()!;
        var shown = (await _app.RunAsync("runs", "show", runId, "--json")).Json();
        Assert.Equal("partial", shown.GetProperty("status").GetString());
        var failure = Assert.Single(shown.GetProperty("failures").EnumerateArray());
        Assert.Equal(adaId, failure.GetProperty("subscriberId").GetString());
        Assert.Equal("compose", failure.GetProperty("failure").GetString());
        Assert.Contains("could not compose the digest", failure.GetProperty("reason").GetString());
        Assert.Contains("cannot be read", failure.GetProperty("reason").GetString());
        var text = (await _app.RunAsync("runs", "show", runId)).Stdout;
        Assert.Contains("compose: could not compose the digest", text);

        // nothing is owed any more, so no pump or rerun retries it in a loop; once the cause is fixed, a resend delivers it
        var again = await _app.RunAsync("digest", "run", "--date", "2026-03-11", "--skip-ingest", "--json", $"--Smtp:PickupFolder={Outbox}");
        Assert.Equal(0, again.Json().GetProperty("sent").GetInt32() + again.Json().GetProperty("failed").GetInt32());
        _app.Query($"UPDATE digest_papers SET papers = substr(papers, 2) WHERE delivery_id LIKE '{adaId}:%'");
        var resent = await _app.RunAsync("digest", "resend", "--date", "2026-03-11", "--all", "--delivery-status", "failed", "--json", $"--Smtp:PickupFolder={Outbox}");
        Assert.True(resent.ExitCode == 0, resent.ToString());
        Assert.Equal(1, resent.Json().GetProperty("sent").GetInt32());
        Assert.Equal(3, Directory.GetFiles(Outbox, "*.eml", SearchOption.AllDirectories).Length);
    }
}

public sealed class PoisonIsolationOnSqlite() : PoisonIsolationTests(Backend.Sqlite);

public sealed class PoisonIsolationOnPostgres() : PoisonIsolationTests(Backend.Postgres);
