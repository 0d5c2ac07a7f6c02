using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;
using Newsletter.Delivery;

namespace Newsletter.Tests.Delivery;

public sealed class CoalescingStreamTests
{
    /// <summary>A stream that keeps each write it is given apart, as a socket turns each into a packet.</summary>
    private sealed class RecordingStream : MemoryStream
    {
        public List<byte[]> Writes { get; } = [];
        public int Flushes { get; private set; }
        public byte[] Incoming { get; set; } = [];

        public override void Write(ReadOnlySpan<byte> buffer) => Writes.Add(buffer.ToArray());
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes.Add(buffer.ToArray());
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() => Flushes++;

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Flushes++;
            return Task.CompletedTask;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = Math.Min(buffer.Length, Incoming.Length);
            Incoming.AsSpan(0, n).CopyTo(buffer.Span);
            Incoming = Incoming[n..];
            return ValueTask.FromResult(n);
        }
    }

    [Fact]
    public async Task Writes_reach_the_connection_as_one_write_when_flushed_and_in_order()
    {
        var inner = new RecordingStream();
        await using var stream = new CoalescingStream(inner, capacity: 64 * 1024);

        foreach (var block in Enumerable.Range(0, 4).Select(i => Enumerable.Repeat((byte)('a' + i), 4096).ToArray()))
        {
            await stream.WriteAsync(block);
        }
        Assert.Empty(inner.Writes);
        await stream.FlushAsync();

        var write = Assert.Single(inner.Writes);
        Assert.Equal(4 * 4096, write.Length);
        Assert.Equal("abcd", new string([.. Enumerable.Range(0, 4).Select(i => (char)write[i * 4096])]));
        Assert.Equal(1, inner.Flushes);
    }

    [Fact]
    public async Task A_read_first_sends_what_is_held_so_a_command_never_waits_behind_its_own_reply()
    {
        var inner = new RecordingStream { Incoming = Encoding.ASCII.GetBytes("250 OK\r\n") };
        await using var stream = new CoalescingStream(inner);

        await stream.WriteAsync(Encoding.ASCII.GetBytes("NOOP\r\n"));
        var reply = new byte[64];
        var n = await stream.ReadAsync(reply);

        Assert.Equal("NOOP\r\n", Encoding.ASCII.GetString(Assert.Single(inner.Writes)));
        Assert.Equal("250 OK\r\n", Encoding.ASCII.GetString(reply, 0, n));
    }

    [Fact]
    public async Task Past_its_capacity_what_is_held_goes_first_and_the_large_write_straight_through()
    {
        var inner = new RecordingStream();
        await using var stream = new CoalescingStream(inner, capacity: 1024);

        await stream.WriteAsync(new byte[100]);
        await stream.WriteAsync(Enumerable.Repeat((byte)1, 5000).ToArray());
        stream.Write(new byte[10]);
        stream.Flush();

        Assert.Equal([100, 5000, 10], inner.Writes.Select(w => w.Length));
        Assert.All(inner.Writes[1], b => Assert.Equal(1, b));
    }

    /// <summary>
    /// A server that greets, answers every command with 250 (354 to DATA), and answers QUIT or, when told to, never does.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_message_of_many_blocks_arrives_whole_and_a_QUIT_without_reply_ends_the_send_at_the_command_timeout(bool answersQuit)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var dataReads = new List<int>();
        var received = new StringBuilder();
        var server = Task.Run(async () =>
        {
            using var connection = await listener.AcceptTcpClientAsync();
            var network = connection.GetStream();
            async Task Say(string line) => await network.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"));
            await Say("220 test ESMTP");
            var buffer = new byte[256 * 1024];
            var pending = new StringBuilder();
            var inData = false;
            var reads = 0;
            while (true)
            {
                var n = await network.ReadAsync(buffer);
                if (n == 0)
                {
                    return;
                }
                var text = Encoding.ASCII.GetString(buffer, 0, n);
                if (inData)
                {
                    reads++;
                    received.Append(text);
                    if (received.ToString().EndsWith("\r\n.\r\n", StringComparison.Ordinal))
                    {
                        inData = false;
                        dataReads.Add(reads);
                        await Say("250 2.0.0 queued");
                    }
                    continue;
                }
                pending.Append(text);
                while (pending.ToString().IndexOf("\r\n", StringComparison.Ordinal) is var end and >= 0)
                {
                    var command = pending.ToString(0, end);
                    pending.Remove(0, end + 2);
                    if (command.StartsWith("EHLO", StringComparison.OrdinalIgnoreCase))
                    {
                        await Say("250-test");
                        await Say("250 8BITMIME");
                    }
                    else if (command.StartsWith("DATA", StringComparison.OrdinalIgnoreCase))
                    {
                        inData = true;
                        reads = 0;
                        await Say("354 go on");
                    }
                    else if (command.StartsWith("QUIT", StringComparison.OrdinalIgnoreCase))
                    {
                        if (answersQuit)
                        {
                            await Say("221 bye");
                            return;
                        }
                        await Task.Delay(TimeSpan.FromSeconds(30)); // holds the connection open, silent
                        return;
                    }
                    else
                    {
                        await Say("250 OK");
                    }
                }
            }
        });
        var transport = new SmtpMailTransport(Options.Create(new SmtpOptions
        {
            Host = "127.0.0.1", Port = port, Security = SmtpSecurity.None, Connections = 1, MaxPerSecond = 0, TimeoutSeconds = 2,
        }), NullLogger<SmtpMailTransport>.Instance);
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Digest", "digest@example.org"));
        message.To.Add(MailboxAddress.Parse("ada@example.org"));
        message.Subject = "Forty kibibytes";
        var body = string.Join("\n", Enumerable.Range(0, 800).Select(i => $"line {i:D4} of the digest, long enough to fill"));
        message.Body = new TextPart("plain") { Text = body };
        SendOutcome? outcome = null;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        await transport.SendAllAsync(Once(new OutgoingMail("mail-1", message)), (_, o) => { outcome = o; return Task.CompletedTask; }, CancellationToken.None);

        // the stream is the transport's own, so MailKit's read timeout no longer guards QUIT: the command timeout does
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the send took {clock.Elapsed.TotalSeconds:0} s to end");
        if (answersQuit)
        {
            await server.WaitAsync(TimeSpan.FromSeconds(10));
        }

        Assert.Equal(SendStatus.Sent, outcome?.Status);
        Assert.Contains("line 0799 of the digest", received.ToString());
        Assert.True(received.Length > 32_000, $"{received.Length} bytes");
        Assert.Single(dataReads);
    }

    [Fact]
    public async Task A_server_that_accepts_but_never_greets_fails_the_check_at_the_command_timeout_in_plain_words()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = listener.AcceptTcpClientAsync(); // held open, never a word
        var transport = new SmtpMailTransport(Options.Create(new SmtpOptions
        {
            Host = "127.0.0.1", Port = port, Security = SmtpSecurity.None, TimeoutSeconds = 1,
        }), NullLogger<SmtpMailTransport>.Instance);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var problem = await transport.CheckAsync(CancellationToken.None);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the check took {clock.Elapsed.TotalSeconds:0} s");
        Assert.Contains($"SMTP server 127.0.0.1:{port} did not complete the greeting", problem);
        (await accepted).Dispose();
    }

    /// <summary>
    /// TLS runs over the held writes (MailKit puts its SslStream on the stream it is given): the handshake's records
    /// and every command must reach the server, none left in the buffer. A server of this test's own, with a certificate
    /// made here, answers STARTTLS (or speaks TLS from the start) and takes two messages over the one connection.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task MailKit_over_the_held_writes_negotiates_TLS_and_sends_whole_messages(bool tlsFromTheStart)
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            "CN=localhost", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // exported and loaded again: on Linux a certificate made in memory cannot serve TLS with its ephemeral key
        using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(made.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx), null);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var bodies = new List<string>();
        var server = Task.Run(async () =>
        {
            using var connection = await listener.AcceptTcpClientAsync();
            Stream stream = connection.GetStream();
            if (tlsFromTheStart)
            {
                var tls = new System.Net.Security.SslStream(stream);
                await tls.AuthenticateAsServerAsync(certificate);
                stream = tls;
            }
            var secure = tlsFromTheStart;
            var reader = new StreamReader(stream, Encoding.ASCII, false, 1024, leaveOpen: true);
            async Task Say(string line)
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"));
                await stream.FlushAsync();
            }
            await Say("220 tls-test ESMTP");
            while (await reader.ReadLineAsync() is { } command)
            {
                if (command.StartsWith("EHLO", StringComparison.OrdinalIgnoreCase))
                {
                    await Say("250-tls-test");
                    if (!secure)
                    {
                        await Say("250-STARTTLS");
                    }
                    await Say("250 8BITMIME");
                }
                else if (command.StartsWith("STARTTLS", StringComparison.OrdinalIgnoreCase))
                {
                    await Say("220 go ahead");
                    var tls = new System.Net.Security.SslStream(stream);
                    await tls.AuthenticateAsServerAsync(certificate);
                    stream = tls;
                    reader = new StreamReader(stream, Encoding.ASCII, false, 1024, leaveOpen: true);
                    secure = true;
                }
                else if (command.StartsWith("DATA", StringComparison.OrdinalIgnoreCase))
                {
                    await Say("354 go on");
                    var body = new StringBuilder();
                    while (await reader.ReadLineAsync() is { } line && line != ".")
                    {
                        body.AppendLine(line);
                    }
                    bodies.Add(body.ToString());
                    await Say(secure ? "250 2.0.0 queued over TLS" : "250 2.0.0 queued in the clear");
                }
                else if (command.StartsWith("QUIT", StringComparison.OrdinalIgnoreCase))
                {
                    await Say("221 bye");
                    return;
                }
                else
                {
                    await Say("250 OK");
                }
            }
        });
        using var client = new MailKit.Net.Smtp.SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20)); // a handshake stuck in the held writes fails, never hangs

        await client.ConnectAsync(new CoalescingStream(new NetworkStream(socket, ownsSocket: true)), "localhost", port,
            tlsFromTheStart ? MailKit.Security.SecureSocketOptions.SslOnConnect : MailKit.Security.SecureSocketOptions.StartTls, deadline.Token);
        var replies = new List<string>();
        foreach (var n in new[] { 1, 2 })
        {
            var message = new MimeMessage();
            message.From.Add(new MailboxAddress("Digest", "digest@example.org"));
            message.To.Add(MailboxAddress.Parse("ada@example.org"));
            message.Subject = $"Over TLS {n}";
            message.Body = new TextPart("plain") { Text = string.Join("\n", Enumerable.Range(0, 600).Select(i => $"message {n}, line {i:D4}, long enough to fill a block")) };
            replies.Add(await client.SendAsync(message, deadline.Token));
        }
        await client.DisconnectAsync(quit: true, deadline.Token);
        await server.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.All(replies, reply => Assert.Contains("queued over TLS", reply));
        Assert.Equal(2, bodies.Count);
        Assert.Contains("message 2, line 0599", bodies[1]);
        Assert.True(bodies[0].Length > 30_000, $"{bodies[0].Length} characters");
    }

    private static async IAsyncEnumerable<OutgoingMail> Once(OutgoingMail mail)
    {
        await Task.Yield();
        yield return mail;
    }
}
