using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Digests;

/// <summary>Debian's SpamAssassin, offline (-L), scores a rendered digest as a mailbox provider's filter would.</summary>
public sealed partial class SpamScoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_rendered_digest_scores_below_2_with_spamassassin()
    {
        Assert.True(File.Exists("/usr/bin/spamassassin"), "spamassassin is not installed: run tools/install-test-deps.sh");
        var message = DigestFixtures.Composer().Compose(DigestFixtures.Ada, new DateOnly(2026, 3, 11), DigestFixtures.Selection());
        var eml = _dir.File("digest.eml");
        await message.WriteToAsync(eml);

        var start = new ProcessStartInfo("/usr/bin/spamassassin", ["-t", "-L"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(await File.ReadAllTextAsync(eml));
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        var status = SpamStatus().Match(output);
        Assert.True(status.Success, "no X-Spam-Status in spamassassin's output:\n" + output[..Math.Min(2000, output.Length)]);
        var score = double.Parse(status.Groups[1].Value, CultureInfo.InvariantCulture);
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "spamassassin-report.txt"), output);
        Assert.True(score < 2.0, $"spam score {score}:\n{output[output.IndexOf("Content analysis details", StringComparison.Ordinal)..]}");
    }

    [GeneratedRegex(@"X-Spam-Status: \w+, score=(-?[0-9.]+)")]
    private static partial Regex SpamStatus();
}
