using System.Diagnostics;

namespace Newsletter.Tests.Support;

/// <summary>
/// Checks a DKIM signature with Debian's python3-dkim (dkimpy), an implementation independent of MimeKit's, so a
/// signature MimeKit would accept but receivers would not is caught. The "DNS" answers one name with one record.
/// </summary>
public static class PythonDkim
{
    private const string Script = """
        import logging, sys, dkim
        logging.basicConfig(stream=sys.stderr, level=logging.DEBUG)
        data = open(sys.argv[1], "rb").read()
        name, record = sys.argv[2].lower().rstrip("."), sys.argv[3].encode()
        def dns(qname, timeout=5):
            q = qname.decode() if isinstance(qname, bytes) else qname
            return record if q.lower().rstrip(".") == name else None
        ok = dkim.verify(data, logger=logging.getLogger("dkim"), dnsfunc=dns)
        print("pass" if ok else "fail")
        sys.exit(0 if ok else 1)
        """;

    /// <summary>Whether the first DKIM-Signature of <paramref name="message"/> verifies against the TXT record at <paramref name="name"/>; why, if not.</summary>
    public static async Task<(bool Verified, string Output)> VerifyAsync(byte[] message, string name, string txtValue)
    {
        Assert.True(File.Exists("/usr/bin/python3"), "python3 is missing: run tools/install-test-deps.sh");
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, message);
            var start = new ProcessStartInfo("/usr/bin/python3", ["-c", Script, file, name, txtValue])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            var output = (await stdout + await stderr).Trim();
            Assert.DoesNotContain("No module named 'dkim'", output); // python3-dkim missing: run tools/install-test-deps.sh
            return (process.ExitCode == 0 && output.StartsWith("pass", StringComparison.Ordinal), output);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
