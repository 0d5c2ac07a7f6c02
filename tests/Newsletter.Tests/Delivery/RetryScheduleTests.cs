using System.Text.Json;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Delivery;

/// <summary>
/// Temporary faults never become permanent before their time, a slow server never gets a second copy, and runs say
/// what really happened: the retry schedule, the end-of-data wait and "uncertain", against the aiosmtpd test server.
/// </summary>
public abstract class RetryScheduleTests(Backend backend) : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private TestApp _app = null!;

    // the first wait is long enough that a run on a busy machine does not reach it (it would send the digest itself,
    // which is right, but not what these tests look at); each test waits it out before its later run
    public async Task InitializeAsync() => _app = await TestApp.CreateAsync(backend,
        "--Smtp:Security=None", "--Smtp:MaxPerSecond=0", "--Smtp:RetryBaseDelayMilliseconds=50", "--Smtp:MaxAttempts=2",
        "--Smtp:From=digest@papers.example.org", "--Delivery:RetrySchedule=3s", $"--Smtp:PickupFolder={Path.Combine(Path.GetTempPath(), "unused")}");

    public Task DisposeAsync()
    {
        _app.Dispose();
        _dir.Dispose();
        return Task.CompletedTask;
    }

    private async Task SeedAsync(params string[] emails)
    {
        foreach (var email in emails)
        {
            var added = await _app.RunAsync("subscribers", "add", "--email", email, "--keyword", "reinforcement learning", "--confirmed");
            Assert.True(added.ExitCode == 0, added.ToString());
        }
        Assert.Equal(0, (await _app.RunAsync("ingest", "--from", Corpus.ApiDay("2026-03-11"))).ExitCode);
    }

    private Task<CliResult> RunAsync(params string[] settings) =>
        _app.RunAsync(["digest", "run", "--date", "2026-03-11", "--skip-ingest", "--json", .. settings]);

    private object? Delivery(string column, string email) =>
        _app.Query($"SELECT d.{column} FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id WHERE s.email = '{email}'");

    private static string[] Smtp(SmtpTestServer server, params string[] more) => ["--Smtp:Host=127.0.0.1", $"--Smtp:Port={server.Port}", .. more];

    [Fact]
    public async Task A_temporary_fault_that_outlasts_the_quick_retries_defers_the_digest_and_a_later_run_sends_the_same_message_once()
    {
        await using var server = await SmtpTestServer.StartAsync(_dir.File("accepted.jsonl"));
        await SeedAsync("tempfail-3-ada@example.org", "bob@example.org");

        var first = await RunAsync(Smtp(server));

        Assert.True(first.ExitCode == 0, first.ToString()); // deferred is not failed
        Assert.Equal((1, 1, 0), (first.Json().GetProperty("sent").GetInt32(), first.Json().GetProperty("deferred").GetInt32(), first.Json().GetProperty("failed").GetInt32()));
        Assert.Equal("partial", first.Json().GetProperty("status").GetString());
        Assert.Equal("deferred", Delivery("status", "tempfail-3-ada@example.org"));
        Assert.Contains("451", (string)Delivery("server_reply", "tempfail-3-ada@example.org")!);
        Assert.NotNull(Delivery("next_attempt_at", "tempfail-3-ada@example.org"));
        var messageId = (string)Delivery("message_id", "tempfail-3-ada@example.org")!;

        await Task.Delay(3200); // the schedule's first wait
        var later = await RunAsync(Smtp(server));

        Assert.True(later.ExitCode == 0, later.ToString());
        Assert.Equal(1, later.Json().GetProperty("sent").GetInt32());
        Assert.Equal("sent", Delivery("status", "tempfail-3-ada@example.org"));
        var accepted = File.ReadAllLines(server.LogPath).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var ada = Assert.Single(accepted, a => a.GetProperty("to")[0].GetString() == "tempfail-3-ada@example.org");
        Assert.Equal($"<{messageId}>", ada.GetProperty("message_id").GetString()); // the same digest, not a new copy
        Assert.Equal(2, accepted.Count);
    }

    [Fact]
    public async Task A_digest_still_failing_after_the_give_up_time_fails_with_the_last_reason()
    {
        await using var server = await SmtpTestServer.StartAsync(_dir.File("accepted.jsonl"));
        await SeedAsync("tempfail-99-ada@example.org");
        await RunAsync(Smtp(server));
        Assert.Equal("deferred", Delivery("status", "tempfail-99-ada@example.org"));
        _app.Query("UPDATE deliveries SET created_at = '2026-01-01T00:00:00.0000000+00:00'"); // planned long ago

        await Task.Delay(3200);
        var last = await RunAsync([.. Smtp(server), "--Delivery:GiveUpAfterHours=48"]);

        Assert.Equal(1, last.ExitCode);
        Assert.Equal(1, last.Json().GetProperty("failed").GetInt32());
        Assert.Equal("failed", Delivery("status", "tempfail-99-ada@example.org"));
        Assert.Equal("temporary", Delivery("failure", "tempfail-99-ada@example.org"));
        Assert.Contains("451", (string)Delivery("server_reply", "tempfail-99-ada@example.org")!);
    }

    [Fact]
    public async Task A_pickup_folder_that_cannot_be_written_defers_the_digests_and_leaves_no_temporary_files()
    {
        await SeedAsync("ada@example.org", "bob@example.org");
        var outbox = _dir.File("outbox");
        File.WriteAllText(outbox, "a file where the folder should be: every write fails, as on a full disk");

        var blocked = await RunAsync("--Smtp:Host=", $"--Smtp:PickupFolder={outbox}");

        Assert.True(blocked.ExitCode == 0, blocked.ToString());
        Assert.Equal(2, blocked.Json().GetProperty("deferred").GetInt32());
        Assert.Equal(2L, _app.Query("SELECT count(*) FROM deliveries WHERE status = 'deferred'"));

        File.Delete(outbox);
        await Task.Delay(3200);
        var cleared = await RunAsync("--Smtp:Host=", $"--Smtp:PickupFolder={outbox}");

        Assert.Equal(2, cleared.Json().GetProperty("sent").GetInt32());
        Assert.Equal(2, Directory.GetFiles(outbox, "*.eml", SearchOption.AllDirectories).Length);
        Assert.Empty(Directory.GetFiles(outbox, "*.tmp", SearchOption.AllDirectories));
    }

    [FactWithSmallDisk]
    public async Task A_full_outbox_disk_defers_what_does_not_fit_and_sends_it_once_when_there_is_room_again()
    {
        var emails = Enumerable.Range(0, 30).Select(i => $"reader{i:00}@example.org").ToArray();
        await SeedAsync(emails);
        var outbox = _dir.File("outbox");
        string[] pickup = ["--Smtp:Host=", $"--Smtp:PickupFolder={outbox}"];
        CliResult full;
        using (SmallDisk.Mount(outbox, 96)) // room for a few digests only
        {
            full = await RunAsync(pickup);
            Assert.Empty(Directory.GetFiles(outbox, "*.tmp", SearchOption.AllDirectories));
            foreach (var written in Directory.GetFiles(outbox, "*.eml", SearchOption.AllDirectories))
            {
                File.Move(written, _dir.File(Path.GetFileName(written))); // keep what was delivered while the disk was small
            }
        }

        Assert.True(full.ExitCode == 0, full.ToString());
        var sentWhileFull = full.Json().GetProperty("sent").GetInt32();
        Assert.True(sentWhileFull is > 0 and < 30, full.ToString());
        Assert.Equal(30 - sentWhileFull, full.Json().GetProperty("deferred").GetInt32());
        Assert.Equal(0, full.Json().GetProperty("failed").GetInt32());

        await Task.Delay(3200);
        var roomy = await RunAsync(pickup);

        Assert.Equal(30 - sentWhileFull, roomy.Json().GetProperty("sent").GetInt32());
        var delivered = Directory.GetFiles(outbox, "*.eml", SearchOption.AllDirectories).Concat(Directory.GetFiles(_dir.Path, "*.eml")).Select(Path.GetFileName).ToList();
        Assert.Equal(30, delivered.Distinct().Count());
        Assert.Equal(30, delivered.Count);
    }

    [Fact]
    public async Task A_server_slower_to_answer_than_a_command_may_take_gets_the_digest_exactly_once()
    {
        await using var server = await SmtpTestServer.StartAsync(_dir.File("accepted.jsonl"));
        await SeedAsync("slow-5-ada@example.org");

        var run = await RunAsync(Smtp(server, "--Smtp:TimeoutSeconds=3", "--Smtp:DataTimeoutSeconds=30"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(1, run.Json().GetProperty("sent").GetInt32());
        Assert.Single(server.Accepted());
        Assert.Equal(1L, Delivery("attempts", "slow-5-ada@example.org"));
    }

    [Fact]
    public async Task A_reply_that_never_comes_makes_the_digest_uncertain_tried_once_more_then_failed_as_uncertain()
    {
        await using var server = await SmtpTestServer.StartAsync(_dir.File("accepted.jsonl"));
        await SeedAsync("slow-60-ada@example.org");
        string[] settings = Smtp(server, "--Smtp:TimeoutSeconds=5", "--Smtp:DataTimeoutSeconds=7");

        var first = await RunAsync(settings);

        Assert.Equal("uncertain", Delivery("status", "slow-60-ada@example.org"));
        Assert.Equal(1, first.Json().GetProperty("deferred").GetInt32());
        Assert.Contains("no reply within 7 s", (string)Delivery("server_reply", "slow-60-ada@example.org")!);

        await Task.Delay(3200);
        var second = await RunAsync(settings);

        // two copies at most: once more, and never again
        Assert.Equal(1, second.Json().GetProperty("failed").GetInt32());
        Assert.Equal("failed", Delivery("status", "slow-60-ada@example.org"));
        Assert.Equal("uncertain", Delivery("failure", "slow-60-ada@example.org"));
        Assert.Equal(2L, Delivery("attempts", "slow-60-ada@example.org"));
    }

    [Fact]
    public async Task A_run_stopped_halfway_records_what_it_sent_before_it_stopped()
    {
        await using var server = await SmtpTestServer.StartAsync(_dir.File("stalls.jsonl"), stallAfter: 5);
        await using var services = await TestServices.StartAsync(backend, Smtp(server, "--Smtp:Security=None", "--Smtp:MaxPerSecond=0", "--Smtp:Connections=1"));
        for (var i = 0; i < 12; i++)
        {
            Assert.Equal(0, (await services.App.RunAsync("subscribers", "add", "--email", $"reader{i:00}@example.org", "--keyword", "reinforcement learning", "--confirmed")).ExitCode);
        }
        Assert.Equal(0, (await services.App.RunAsync("ingest", "--from", Corpus.ApiDay("2026-03-11"))).ExitCode);
        using var stop = new CancellationTokenSource();

        var running = services.Get<Newsletter.Scheduling.DailyRun>().RunAsync(new(new DateOnly(2026, 3, 11), "manual", SkipIngest: true), stop.Token);
        while (server.Accepted().Count < 5)
        {
            await Task.Delay(50);
        }
        await Task.Delay(500); // the fifth is recorded; the sixth hangs at the server
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);

        Assert.Equal("failed", services.App.Query("SELECT status FROM runs"));
        Assert.Equal(5L, services.App.Query("SELECT sent FROM runs"));
        Assert.Equal(5L, services.App.Query("SELECT count(*) FROM deliveries WHERE status = 'sent'"));
        Assert.Equal(12L, services.App.Query("SELECT planned FROM runs"));
    }
}

public sealed class RetryScheduleOnSqlite() : RetryScheduleTests(Backend.Sqlite);

public sealed class RetryScheduleOnPostgres() : RetryScheduleTests(Backend.Postgres);
