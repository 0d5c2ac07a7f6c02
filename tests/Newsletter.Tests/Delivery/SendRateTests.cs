using System.Diagnostics;
using MimeKit;
using Newsletter.Delivery;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Delivery;

/// <summary>
/// Smtp:MaxPerSecond holds for everything a machine sends (the scheduled run, the pump and a resend in one process;
/// other processes on the machine), Smtp:ClusterMaxPerSecond for every node together.
/// </summary>
public abstract class SendRateTests(Backend backend) : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private SmtpTestServer _server = null!;

    public async Task InitializeAsync() => _server = await SmtpTestServer.StartAsync(_dir.File("accepted.jsonl"));

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    private Task<TestServices> StartAsync(string maxPerSecond, string clusterMaxPerSecond) => TestServices.StartAsync(backend,
        "--Smtp:Host=127.0.0.1", $"--Smtp:Port={_server.Port}", "--Smtp:Security=None", $"--Smtp:MaxPerSecond={maxPerSecond}", $"--Smtp:ClusterMaxPerSecond={clusterMaxPerSecond}");

    [Fact]
    public async Task Two_sends_at_once_in_one_process_share_the_rate()
    {
        await using var services = await StartAsync("20", "0");
        var transport = services.Get<IMailTransport>();
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(SendAsync(transport, "a", 15), SendAsync(transport, "b", 15));

        // 30 messages at 20 per second take about 1.5 s; each send with its own pacer took half of that
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.3), $"30 messages went out in {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.Equal(30, _server.Accepted().Count);
    }

    [Fact]
    public async Task Another_sending_process_on_the_machine_and_other_nodes_take_their_share_of_the_rates()
    {
        await using var services = await StartAsync("40", "30");
        var until = DateTimeOffset.UtcNow.AddMinutes(5).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'");
        services.App.Query($"INSERT INTO senders (id, node, alive_until) VALUES ('{Environment.MachineName}/1.1', '{Environment.MachineName}', '{until}')");
        services.App.Query($"INSERT INTO senders (id, node, alive_until) VALUES ('other-host/7.1', 'other-host', '{until}')");
        var pacer = services.Get<SendPacer>();
        Assert.Equal(40, pacer.Rate, 3);

        await using (await services.Get<SenderRegistry>().EnterAsync(CancellationToken.None))
        {
            // two senders on this machine share 40/s; three in the cluster share 30/s: the lower share holds
            Assert.Equal(10, pacer.Rate, 3);
        }

        Assert.Equal(40, pacer.Rate, 3);
        Assert.Equal(2L, services.App.Query("SELECT count(*) FROM senders")); // this process left; the others are theirs to end
    }

    private static async Task SendAsync(IMailTransport transport, string prefix, int count)
    {
        await transport.SendAllAsync(Mails(prefix, count), (_, outcome) =>
        {
            Assert.Equal(SendStatus.Sent, outcome.Status);
            return Task.CompletedTask;
        }, CancellationToken.None);
    }

    private static async IAsyncEnumerable<OutgoingMail> Mails(string prefix, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            var message = new MimeMessage();
            message.From.Add(new MailboxAddress("Digest", "digest@example.org"));
            message.To.Add(MailboxAddress.Parse($"{prefix}{i}@example.org"));
            message.Subject = "rate";
            message.Body = new TextPart("plain") { Text = "rate" };
            yield return new OutgoingMail($"{prefix}-{i}", message);
        }
    }
}

public sealed class SendRateOnSqlite() : SendRateTests(Backend.Sqlite);

public sealed class SendRateOnPostgres() : SendRateTests(Backend.Postgres);
