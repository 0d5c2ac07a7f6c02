using System.Diagnostics;
using System.Text.Json;

namespace Newsletter.Tests.Support;

/// <summary>
/// Reads a feed with Debian's python3-feedparser, the parser many feed readers are built on, so a feed it would
/// flag (its "bozo" bit: not well-formed, a wrong encoding) or read without an entry's id, title, link or date is caught.
/// </summary>
public static class PythonFeedparser
{
    private const string Script = """
        import json, sys, feedparser
        d = feedparser.parse(open(sys.argv[1], "rb").read())
        print(json.dumps({
            "bozo": int(d.bozo), "problem": str(d.get("bozo_exception", "")), "version": d.version,
            "title": d.feed.get("title"), "id": d.feed.get("id"), "updated": d.feed.get("updated"),
            "entries": [{"id": e.get("id"), "title": e.get("title"), "link": e.get("link"), "updated": e.get("updated"),
                         "content": (e.get("content") or [{}])[0].get("value"), "authors": [a.get("name") for a in e.get("authors", [])]}
                        for e in d.entries]}))
        """;

    public static async Task<ParsedFeed> ParseAsync(byte[] feed)
    {
        Assert.True(File.Exists("/usr/bin/python3"), "python3 is missing: run tools/install-test-deps.sh");
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, feed);
            var start = new ProcessStartInfo("/usr/bin/python3", ["-c", Script, file]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var errors = await stderr;
            Assert.DoesNotContain("No module named 'feedparser'", errors); // python3-feedparser missing: run tools/install-test-deps.sh
            Assert.True(process.ExitCode == 0, errors);
            return JsonSerializer.Deserialize<ParsedFeed>(await stdout, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        }
        finally
        {
            File.Delete(file);
        }
    }
}

public sealed record ParsedFeed(int Bozo, string Problem, string Version, string? Title, string? Id, string? Updated, List<ParsedEntry> Entries);

public sealed record ParsedEntry(string? Id, string? Title, string? Link, string? Updated, string? Content, List<string?> Authors);
