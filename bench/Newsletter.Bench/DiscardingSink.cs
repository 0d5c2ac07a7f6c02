using System.Diagnostics;

namespace Newsletter.Bench;

/// <summary>
/// A discarding SMTP server on a loopback port: Postfix's <c>smtp-sink</c> (C, PIPELINING, the tool Postfix's own
/// authors benchmark with; installed with Debian's postfix package, or taken out of it by bench/run.sh without installing an MTA), or
/// Debian's aiosmtpd <c>Sink</c> (Python; one core's worth of it caps what it can take).
/// </summary>
public sealed class DiscardingSink : IDisposable
{
    private readonly Process _process;

    private DiscardingSink(string name, int port, Process process)
    {
        Name = name;
        Port = port;
        _process = process;
    }

    public string Name { get; }

    public int Port { get; }

    public static string SmtpSinkFolder => Path.Combine(BenchSupport.RepoRoot, "bench", ".tools", "postfix");

    /// <summary>The installed one (Debian's postfix package, "No configuration"), else the one bench/run.sh unpacked; null when neither is there.</summary>
    public static string? SmtpSinkBinary =>
        new[] { "/usr/sbin/smtp-sink", Path.Combine(SmtpSinkFolder, "usr", "sbin", "smtp-sink") }.FirstOrDefault(File.Exists);

    /// <summary>smtp-sink where there is one, since aiosmtpd's one Python core caps what it can take.</summary>
    public static string DefaultKind => SmtpSinkBinary is null ? "aiosmtpd" : "smtp-sink";

    public static async Task<DiscardingSink> StartAsync(string kind)
    {
        var port = SendBench.FreePort();
        ProcessStartInfo start;
        string name;
        if (kind == "smtp-sink")
        {
            var binary = SmtpSinkBinary ?? throw new InvalidOperationException(
                "no smtp-sink: apt-get install postfix (choose \"No configuration\"), or run bench/run.sh (it takes smtp-sink out of Debian's postfix package)");
            // as root smtp-sink insists on dropping its privileges (-u)
            start = new ProcessStartInfo(binary, [.. Environment.UserName == "root" ? new[] { "-u", "nobody" } : [], $"127.0.0.1:{port}", "1024"]);
            start.Environment["LD_LIBRARY_PATH"] = Path.Combine(SmtpSinkFolder, "usr", "lib", "postfix");
            name = "Postfix smtp-sink";
        }
        else if (kind == "aiosmtpd")
        {
            start = new ProcessStartInfo("/usr/bin/python3", ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"]);
            name = "aiosmtpd Sink";
        }
        else
        {
            throw new ArgumentException($"unknown sink '{kind}': smtp-sink or aiosmtpd", nameof(kind));
        }
        start.RedirectStandardError = true;
        start.RedirectStandardOutput = true;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {name}");
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        await SendBench.WaitForPortAsync(port);
        return new DiscardingSink(name, port, process);
    }

    public void Dispose()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.Dispose();
    }
}
