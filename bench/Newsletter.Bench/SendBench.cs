using Newsletter.Matching;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;
using Newsletter.Common;
using Newsletter.Delivery;
using Newsletter.Digests;
using Newsletter.Sources;

namespace Newsletter.Bench;

/// <summary>
/// Sending rendered digests into Debian's aiosmtpd discarding sink on loopback: 1 and 4 connections, with and
/// without TCP_NODELAY, and end to end (render + MIME + send) for 10,000 subscribers.
/// </summary>
public static class SendBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0]) : 10_000;
        using var sink = await DiscardingSink.StartAsync("aiosmtpd");
        var port = sink.Port;
        try
        {
            var composer = Composer();
            var (recipients, selections) = Digests(composer, count);
            var date = new DateOnly(2026, 3, 11);
            var messages = recipients.Select((r, i) => new OutgoingMail(r.SubscriberId, composer.Compose(r, date, selections[i % selections.Length]))).ToList();

            Console.WriteLine($"## Sending ({BenchSupport.Machine()}; sink: aiosmtpd Sink on loopback, same 2 cores)");
            Console.WriteLine();
            Console.WriteLine("| what | messages | time | messages/s | vs. naive | target |");
            Console.WriteLine("|---|---|---|---|---|---|");
            // the sink's own ceiling: the same messages, pre-serialised, over raw sockets with nothing else to do
            var blocks = messages.Select(m => SendBenchRawClient.DataBlock(m.Message)).ToList();
            var rawClock = Stopwatch.StartNew();
            await SendBenchRawClient.SendAsync(port, blocks, 1);
            var rawOne = count / rawClock.Elapsed.TotalSeconds;
            rawClock.Restart();
            await SendBenchRawClient.SendAsync(port, blocks, 4);
            var rawFour = count / rawClock.Elapsed.TotalSeconds;
            Console.WriteLine($"| the sink's ceiling: raw sockets, pre-serialised, 1 connection | {count:N0} | | {rawOne:N0} | | |");
            Console.WriteLine($"| the sink's ceiling: raw sockets, pre-serialised, 4 connections | {count:N0} | | {rawFour:N0} | | |");
            var naive = await SendAsync(port, messages.Take(200).ToList(), connections: 1, noDelay: false);
            Console.WriteLine($"| naive: 1 connection, Nagle on (MailKit's default socket) | 200 | {naive.Seconds * 1000:0} ms | {naive.Rate:N0} | 1× | |");
            var one = await SendAsync(port, messages, connections: 1, noDelay: true);
            Console.WriteLine($"| 1 connection, TCP_NODELAY | {count:N0} | {one.Seconds * 1000:0} ms | {one.Rate:N0} | {one.Rate / naive.Rate:0}×; {one.Rate / rawOne:P0} of the sink's ceiling | ≥ 80% of the ceiling |");
            BenchReport.Key("send", "1 connection, TCP_NODELAY, vs MailKit's default socket (Nagle on)", $"{one.Rate:N0}/s ({one.Rate / rawOne:P0} of the sink's ceiling)",
                "≥ 80% of the sink", one.Rate / rawOne >= 0.8, $"Nagle on: {naive.Rate:N0}/s", one.Rate / naive.Rate);
            var four = await SendAsync(port, messages, connections: 4, noDelay: true);
            Console.WriteLine($"| 4 connections, TCP_NODELAY | {count:N0} | {four.Seconds * 1000:0} ms | {four.Rate:N0} | {four.Rate / naive.Rate:0}×, {four.Rate / one.Rate:0.0}× one connection; {four.Rate / rawFour:P0} of the sink's ceiling | ≥ 1,500/s; ≥ 80% of the ceiling |");
            BenchReport.Key("send", "4 connections, TCP_NODELAY, vs one connection", $"{four.Rate:N0}/s ({four.Rate / rawFour:P0} of the sink's ceiling)",
                "≥ 1,500/s and ≥ 80% of the sink", four.Rate >= 1_500 && four.Rate / rawFour >= 0.8, $"1 connection: {one.Rate:N0}/s", four.Rate / one.Rate);

            var sent = 0;
            foreach (var connections in new[] { 1, 4 })
            {
                var clock = Stopwatch.StartNew();
                sent = 0;
                await Transport(port, connections, true).SendAllAsync(Composed(composer, recipients, selections, date), (_, o) =>
                {
                    if (o.Status == SendStatus.Sent)
                    {
                        Interlocked.Increment(ref sent);
                    }
                    return Task.CompletedTask;
                }, CancellationToken.None);
                var endToEnd = clock.Elapsed.TotalSeconds;
                Console.WriteLine($"| end to end: render + MIME + send, {connections} connection{(connections == 1 ? "" : "s")} | {count:N0} subscribers | {endToEnd * 1000:0} ms | {sent / endToEnd:N0} | | |");
                BenchReport.Key("send", $"render + MIME + send {count:N0} digests, {connections} connection{(connections == 1 ? "" : "s")}", $"{sent / endToEnd:N0}/s",
                    connections == 4 ? "≥ 1,500/s" : "", connections == 4 ? sent / endToEnd >= 1_500 : null);
            }
            Console.WriteLine();
            Console.WriteLine($"One digest is {Size(messages[0].Message) / 1024.0:0.0} KiB; all {count:N0} were accepted by the sink: {sent == count}.");
        }
        finally
        {
            sink.Dispose();
        }
        return 0;
    }

    private static async Task<(double Seconds, double Rate)> SendAsync(int port, List<OutgoingMail> messages, int connections, bool noDelay)
    {
        var sent = 0;
        var clock = Stopwatch.StartNew();
        await Transport(port, connections, noDelay).SendAllAsync(Stream(messages), (_, o) =>
        {
            if (o.Status == SendStatus.Sent)
            {
                Interlocked.Increment(ref sent);
            }
            return Task.CompletedTask;
        }, CancellationToken.None);
        var seconds = clock.Elapsed.TotalSeconds;
        if (sent != messages.Count)
        {
            throw new InvalidOperationException($"only {sent} of {messages.Count} were accepted");
        }
        return (seconds, sent / seconds);
    }

    private static SmtpMailTransport Transport(int port, int connections, bool noDelay) => new(Options.Create(new SmtpOptions
    {
        Host = "127.0.0.1",
        Port = port,
        Security = SmtpSecurity.None,
        Connections = connections,
        MaxPerSecond = 0,
        NoDelay = noDelay,
    }), NullLogger<SmtpMailTransport>.Instance);

    private static async IAsyncEnumerable<OutgoingMail> Stream(List<OutgoingMail> messages)
    {
        foreach (var message in messages)
        {
            yield return message;
        }
        await Task.CompletedTask;
    }

    private static async IAsyncEnumerable<OutgoingMail> Composed(DigestComposer composer, DigestRecipient[] recipients, IReadOnlyList<SelectedPaper>[] selections, DateOnly date)
    {
        for (var i = 0; i < recipients.Length; i++)
        {
            yield return new OutgoingMail(recipients[i].SubscriberId, composer.Compose(recipients[i], date, selections[i % selections.Length]));
        }
        await Task.CompletedTask;
    }

    internal static DigestComposer Composer()
    {
        var site = Options.Create(new SiteOptions { BaseUrl = "https://digest.example.org", SigningKey = new string('k', 40) });
        return new DigestComposer(new TemplateSet(Path.Combine(BenchSupport.RepoRoot, "templates")), new LinkSigner(site, new NewsletterHome(Path.GetTempPath(), ""), TimeProvider.System),
            site, TimeProvider.System, new MailboxAddress("Digest", "digest@example.org"));
    }

    private static (DigestRecipient[] Recipients, IReadOnlyList<SelectedPaper>[] Selections) Digests(DigestComposer composer, int count)
    {
        var papers = ListingParser.Parse(File.ReadAllText(BenchSupport.Corpus("papers.json")), "papers.json").Papers;
        var selections = Selections(papers, 10);
        var recipients = Enumerable.Range(0, count).Select(i => new DigestRecipient($"sub{i:D6}", $"reader{i}@example.org", $"Reader {i}", "secret")).ToArray();
        return (recipients, selections);
    }

    /// <summary>64 different digests of <paramref name="perDigest"/> papers each, taken in turn from <paramref name="papers"/>.</summary>
    internal static IReadOnlyList<SelectedPaper>[] Selections(IReadOnlyList<Newsletter.Papers.Paper> papers, int perDigest) =>
        Enumerable.Range(0, 64).Select(s => (IReadOnlyList<SelectedPaper>)[.. Enumerable.Range(0, perDigest).Select(i =>
            new SelectedPaper(papers[(s * perDigest + i) % papers.Count], perDigest - i, ["keyword"], [new TextSpan(0, 4)], [new TextSpan(0, 8)]))]).ToArray();

    private static long Size(MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        return stream.Length;
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static async Task WaitForPortAsync(int port)
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new InvalidOperationException($"nothing listens on 127.0.0.1:{port} after 10 s: the sink did not start");
    }
}
