using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Newsletter.Bench;

/// <summary>
/// The least an SMTP client can do: pre-serialized messages, one write per command, one read per reply, no
/// parsing beyond the reply code. What it reaches is the sink's own ceiling, to compare MailKit against.
/// </summary>
public static class SendBenchRawClient
{
    public static async Task<int> SendAsync(int port, IReadOnlyList<byte[]> dataBlocks, int connections)
    {
        var next = -1;
        var sent = 0;
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            var buffer = new byte[64 * 1024];
            await ExpectAsync(socket, buffer, "220");
            await CommandAsync(socket, buffer, "EHLO bench.local\r\n"u8.ToArray(), "250");
            var mailFrom = "MAIL FROM:<newsletter@bench.local>\r\n"u8.ToArray();
            var data = "DATA\r\n"u8.ToArray();
            int i;
            while ((i = Interlocked.Increment(ref next)) < dataBlocks.Count)
            {
                await CommandAsync(socket, buffer, mailFrom, "250");
                await CommandAsync(socket, buffer, Encoding.ASCII.GetBytes($"RCPT TO:<reader{i}@bench.local>\r\n"), "250");
                await CommandAsync(socket, buffer, data, "354");
                await CommandAsync(socket, buffer, dataBlocks[i], "250");
                Interlocked.Increment(ref sent);
            }
            await CommandAsync(socket, buffer, "QUIT\r\n"u8.ToArray(), "221");
        }));
        return sent;
    }

    /// <summary>The message as DATA carries it: CRLF lines, leading dots doubled, ending in CRLF.CRLF.</summary>
    public static byte[] DataBlock(MimeKit.MimeMessage message)
    {
        message.Prepare(MimeKit.EncodingConstraint.EightBit, 998); // what MailKit does for an 8BITMIME server: long lines become quoted-printable
        using var stream = new MemoryStream();
        var options = MimeKit.FormatOptions.Default.Clone();
        options.NewLineFormat = MimeKit.NewLineFormat.Dos;
        message.WriteTo(options, stream);
        var text = Encoding.UTF8.GetString(stream.ToArray()).Replace("\r\n.", "\r\n..", StringComparison.Ordinal);
        if (!text.EndsWith("\r\n", StringComparison.Ordinal))
        {
            text += "\r\n";
        }
        return Encoding.UTF8.GetBytes(text + ".\r\n");
    }

    private static async Task CommandAsync(Socket socket, byte[] buffer, byte[] command, string expected)
    {
        await socket.SendAsync(command, SocketFlags.None);
        await ExpectAsync(socket, buffer, expected);
    }

    /// <summary>Reads until a complete reply (last line "NNN ") arrived; replies here are small and never split oddly enough to matter.</summary>
    private static async Task ExpectAsync(Socket socket, byte[] buffer, string expected)
    {
        var length = 0;
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None);
            if (read == 0)
            {
                throw new IOException("the sink closed the connection");
            }
            length += read;
            if (length >= 2 && buffer[length - 2] == '\r' && buffer[length - 1] == '\n')
            {
                var text = Encoding.ASCII.GetString(buffer, 0, length);
                var lastLine = text.TrimEnd('\r', '\n');
                lastLine = lastLine[(lastLine.LastIndexOf('\n') + 1)..];
                if (lastLine.Length >= 4 && lastLine[3] == ' ')
                {
                    if (!lastLine.StartsWith(expected, StringComparison.Ordinal))
                    {
                        throw new IOException($"expected {expected}, got: {lastLine}");
                    }
                    return;
                }
            }
        }
    }
}
