using Newsletter.Matching;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using MimeKit;
using Newsletter.Common;
using Newsletter.Digests;
using Newsletter.Sources;

namespace Newsletter.Bench;

/// <summary>Rendering 10-paper digests with the cached templates, and building their MIME messages, per core.</summary>
public static class RenderBench
{
    public static Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0]) : 20_000;
        var papers = ListingParser.Parse(File.ReadAllText(BenchSupport.Corpus("papers.json")), "papers.json").Papers;
        var site = Options.Create(new SiteOptions { BaseUrl = "https://digest.example.org", SigningKey = new string('k', 40) });
        var home = new NewsletterHome(Path.GetTempPath(), "");
        var composer = new DigestComposer(new TemplateSet(Path.Combine(BenchSupport.RepoRoot, "templates")), new LinkSigner(site, home, TimeProvider.System),
            site, TimeProvider.System, new MailboxAddress("Digest", "digest@example.org"));
        var selections = Enumerable.Range(0, 64).Select(s => (IReadOnlyList<SelectedPaper>)[.. Enumerable.Range(0, 10).Select(i =>
        {
            var paper = papers[(s * 10 + i) % papers.Count];
            var word = paper.Summary.IndexOf(' ', 40);
            return new SelectedPaper(paper, 10 - i, ["keyword one", "keyword two"], [new TextSpan(0, Math.Min(8, paper.Title.Length))],
                word > 0 ? [new TextSpan(40, word - 40)] : []);
        })]).ToArray();
        var recipients = Enumerable.Range(0, 64).Select(i => new DigestRecipient($"sub{i:D6}", $"reader{i}@example.org", $"Reader {i}", "secret")).ToArray();
        var date = new DateOnly(2026, 3, 11);

        Console.WriteLine($"## Render ({BenchSupport.Machine()}, one thread)");
        Console.WriteLine();
        Console.WriteLine("| what | digests | time | per digest | per second (one core) | target |");
        Console.WriteLine("|---|---|---|---|---|---|");

        Measure("build the template model (escape, highlight, sign links)", count, "", i =>
            composer.Model(recipients[i % 64], date, selections[i % 64]));
        var models = Enumerable.Range(0, 64).Select(i => composer.Model(recipients[i], date, selections[i])).ToArray();
        Measure("render HTML + text from a ready model", count, "", i => composer.Render(models[i % 64]));
        var templates = new TemplateSet(Path.Combine(BenchSupport.RepoRoot, "templates"));
        Measure("render HTML only", count, "", i => templates.Render(TemplateSet.DigestHtml, models[i % 64]));
        Measure("render text only", count, "", i => templates.Render(TemplateSet.DigestText, models[i % 64]));
        var signer = new LinkSigner(site, home, TimeProvider.System);
        Measure("sign two links", count, "", i => { signer.Url("preferences", "sub1", "secret", LinkPurpose.Preferences); signer.Url("unsubscribe", "sub1", "secret", LinkPurpose.Unsubscribe); });
        Measure("excerpt + highlight 10 papers", count, "", i => { foreach (var p in selections[i % 64]) { var (e, sp) = Highlighter.Excerpt(p.Paper.Summary, p.SummarySpans); Highlighter.Html(e, sp); Highlighter.Html(p.Paper.Title, p.TitleSpans); } });
        Measure("model to script object", count, "", i => models[i % 64].ToScriptObject());
        Measure("render HTML + text (10 papers, cached templates, 64 digests over and over: every block reused)", count, "", i =>
            composer.Render(composer.Model(recipients[i % 64], date, selections[i % 64])));
        RealDigests(site, home, count);
        var mime = Measure("render + build MimeMessage (headers, multipart/alternative)", count, "", i =>
            composer.Compose(recipients[i % 64], date, selections[i % 64]));
        BenchReport.Key("render", "render + build the MIME message (10 papers), one core", $"{mime * 1e6:0} µs ({1 / mime:N0}/s)");
        var message = composer.Compose(recipients[0], date, selections[0]);
        using var sink = new MemoryStream();
        _ = Measure("serialise the MimeMessage (what goes over the wire)", count, "", _ =>
        {
            sink.SetLength(0);
            message.WriteTo(sink);
        });
        Console.WriteLine($"\nOne digest is {sink.Length / 1024.0:0.0} KiB on the wire.");
        return Task.FromResult(0);
    }

    /// <summary>
    /// The honest figure: the digests a real day produces. Profiles of 3–5 keywords from the matching benchmark's
    /// vocabulary, matched against one day of the corpus (109 papers), each one's selection rendered by a composer
    /// that starts empty, so a block is rendered the first time its paper, rank and match come up and reused after.
    /// </summary>
    private static void RealDigests(IOptions<SiteOptions> site, NewsletterHome home, int count)
    {
        var day = ListingParser.Parse(File.ReadAllText(BenchSupport.Corpus("hf-api", "2026-03-11.json")), "day.json").Papers;
        var matcher = new Newsletter.Matching.ProfileMatcher(Newsletter.Matching.PaperIndex.Build(day));
        var random = new Random(7);
        var digests = new List<IReadOnlyList<SelectedPaper>>();
        while (digests.Count < count)
        {
            var profile = Newsletter.Matching.Profile.Compile($"p{digests.Count}",
                [.. Enumerable.Range(0, random.Next(3, 6)).Select(_ => MatchBench.Vocabulary[random.Next(MatchBench.Vocabulary.Length)])]);
            var chosen = matcher.Select(profile);
            if (chosen.Count > 0)
            {
                digests.Add([.. chosen.Select(m =>
                {
                    var why = matcher.Explain(profile, m);
                    return new SelectedPaper(day[m.Paper], m.Score, why.Keywords, why.TitleSpans, why.SummarySpans);
                })]);
            }
        }
        var fresh = new DigestComposer(new TemplateSet(Path.Combine(BenchSupport.RepoRoot, "templates")), new LinkSigner(site, home, TimeProvider.System),
            site, TimeProvider.System, new MailboxAddress("Digest", "digest@example.org"));
        var recipient = new DigestRecipient("sub000001", "reader@example.org", "Reader", "secret");
        var date = new DateOnly(2026, 3, 11);
        var papers = digests.Sum(d => d.Count);
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        foreach (var digest in digests)
        {
            fresh.Render(fresh.Model(recipient, date, digest));
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var (hits, misses) = fresh.BlockReuse;
        Console.WriteLine($"| render HTML + text of {count:N0} real digests ({papers / (double)count:0.0} papers each; blocks reused {100.0 * hits / (hits + misses):0}%, " +
                          $"{misses:N0} rendered) | {count:N0} | {seconds * 1000:0} ms | {seconds / count * 1e6:0.0} µs, " +
                          $"{(GC.GetAllocatedBytesForCurrentThread() - allocated) / count / 1024.0:0} KiB allocated | {count / seconds:N0} | ≥ 20,000/s |");
        BenchReport.Key("render", $"render HTML + text of real digests ({papers / (double)count:0.0} papers each), one core", $"{count / seconds:N0}/s", "≥ 20,000/s per core", count / seconds >= 20_000);
        clock.Restart();
        var models = digests.Select(d => fresh.Model(recipient, date, d)).ToList();
        var modelTime = clock.Elapsed.TotalSeconds;
        clock.Restart();
        foreach (var model in models)
        {
            fresh.Render(model);
        }
        var again = modelTime + clock.Elapsed.TotalSeconds;
        Console.WriteLine($"| the same {count:N0} digests again (every block known: a day's later digests) | {count:N0} | {again * 1000:0} ms | " +
                          $"{again / count * 1e6:0.0} µs (model {modelTime / count * 1e6:0.0}, render {clock.Elapsed.TotalSeconds / count * 1e6:0.0}) | {count / again:N0} | |");

    }

    private static double Measure(string what, int count, string target, Action<int> action)
    {
        for (var i = 0; i < 2_000; i++)
        {
            action(i);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            action(i);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var perItem = (GC.GetAllocatedBytesForCurrentThread() - allocated) / count;
        Console.WriteLine($"| {what} | {count:N0} | {seconds * 1000:0} ms | {seconds / count * 1e6:0.0} µs, {perItem / 1024.0:0} KiB allocated | {count / seconds:N0} | {target} |");
        return seconds / count;
    }
}

