using System.Diagnostics;
using System.Text.Json;

namespace Newsletter.Tests.Support;

/// <summary>The aiosmtpd server of Delivery/Fixtures/smtp_server.py: refuses, greylists, drops or stalls on cue.</summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private readonly Process _process;

    private SmtpTestServer(Process process, int port, string log)
    {
        _process = process;
        Port = port;
        LogPath = log;
    }

    public int Port { get; }

    public string LogPath { get; }

    /// <param name="smtpUtf8">Whether the server offers SMTPUTF8 (aiosmtpd does by default).</param>
    /// <param name="eightBitMime">Whether the server offers 8BITMIME (aiosmtpd does by default).</param>
    /// <param name="saveDirectory">Where each accepted message's bytes go, as received (<c>1.eml</c>, <c>2.eml</c>, …).</param>
    public static async Task<SmtpTestServer> StartAsync(string logPath, int? stallAfter = null, bool smtpUtf8 = true, bool eightBitMime = true, string? saveDirectory = null)
    {
        Assert.True(File.Exists("/usr/bin/python3"), "python3 is missing: run tools/install-test-deps.sh");
        var script = Path.Combine(AppContext.BaseDirectory, "Delivery", "Fixtures", "smtp_server.py");
        var port = Ports.Free();
        List<string> args = [script, "--port", port.ToString(), "--log", logPath];
        if (stallAfter is { } k)
        {
            args.AddRange(["--stall-after", k.ToString()]);
        }
        if (!smtpUtf8)
        {
            args.Add("--no-smtputf8");
        }
        if (!eightBitMime)
        {
            args.Add("--no-8bitmime");
        }
        if (saveDirectory is not null)
        {
            args.AddRange(["--save-dir", saveDirectory]);
        }
        var process = Process.Start(new ProcessStartInfo("/usr/bin/python3", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var ready = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
        if (ready != "ready")
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the test SMTP server did not start: " + await process.StandardError.ReadToEndAsync());
        }
        // keep draining its error output (aiosmtpd prints a traceback per dropped session) so it never blocks on a full pipe
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return new SmtpTestServer(process, port, logPath);
    }

    /// <summary>Every accepted message's recipients, in order.</summary>
    public List<List<string>> Accepted() =>
        !File.Exists(LogPath) ? [] : [.. File.ReadAllLines(LogPath).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("to").EnumerateArray().Select(t => t.GetString()!).ToList())];

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
