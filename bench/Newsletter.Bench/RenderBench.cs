using System.Diagnostics;
using Microsoft.Extensions.Options;
using MimeKit;
using Newsletter.Digests;
using Newsletter.Hosting;
using Newsletter.Sources;
using Newsletter.Web;

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
        Measure("render HTML + text (10 papers, cached templates)", count, "≥ 20,000/s", i =>
            composer.Render(composer.Model(recipients[i % 64], date, selections[i % 64])));
        Measure("render + build MimeMessage (headers, multipart/alternative)", count, "", i =>
            composer.Compose(recipients[i % 64], date, selections[i % 64]));
        var message = composer.Compose(recipients[0], date, selections[0]);
        using var sink = new MemoryStream();
        Measure("serialise the MimeMessage (what goes over the wire)", count, "", _ =>
        {
            sink.SetLength(0);
            message.WriteTo(sink);
        });
        Console.WriteLine($"\nOne digest is {sink.Length / 1024.0:0.0} KiB on the wire.");
        return Task.FromResult(0);
    }

    private static void Measure(string what, int count, string target, Action<int> action)
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
    }
}

