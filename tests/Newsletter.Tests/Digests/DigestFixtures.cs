using Newsletter.Matching;
using Microsoft.Extensions.Options;
using MimeKit;
using Newsletter.Common;
using Newsletter.Digests;
using Newsletter.Papers;
using Newsletter.Sources;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Digests;

/// <summary>A composer wired like the application's, with a fixed clock and key so output is reproducible.</summary>
public static class DigestFixtures
{
    public static readonly DateTimeOffset Now = new(2026, 3, 11, 8, 0, 0, TimeSpan.Zero);

    public static SiteOptions Site => new()
    {
        BaseUrl = "https://digest.example.org",
        Name = "Trending Digest",
        SigningKey = "a-fixed-signing-key-for-golden-tests-only",
    };

    /// <summary>The templates the program ships.</summary>
    public static string ShippedTemplates => Path.Combine(Corpus.RepoRoot, "templates");

    /// <summary>Copies the shipped templates into <paramref name="folder"/>, for a test to change one of them there.</summary>
    public static string CopyTemplatesTo(string folder)
    {
        foreach (var file in Directory.GetFiles(ShippedTemplates))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }
        return folder;
    }

    public static DigestComposer Composer(string? templatesFolder = null, TimeProvider? clock = null)
    {
        var home = new NewsletterHome(Corpus.RepoRoot, "");
        var templates = new TemplateSet(templatesFolder ?? ShippedTemplates);
        var signer = new LinkSigner(Options.Create(Site), home, clock ?? new FixedClock(Now));
        return new DigestComposer(templates, signer, Options.Create(Site), clock ?? new FixedClock(Now), new MailboxAddress("Trending Digest", "digest@example.org"));
    }

    public static DigestRecipient Ada => new("sub-ada-0001", "ada@example.org", "Ada", "ada-secret");

    public static IReadOnlyList<Paper> CorpusDay(string day) => ListingParser.Parse(File.ReadAllText(Corpus.ApiDay(day)), day).Papers;

    /// <summary>Three real papers with hand-placed spans, and one hostile title.</summary>
    public static IReadOnlyList<SelectedPaper> Selection()
    {
        var papers = CorpusDay("2026-03-11");
        var flow = papers.Single(p => p.Id == "9912.00001");
        var agent = papers.Single(p => p.Id == "9912.00002");
        var hostile = Paper.Of("9912.99999", "<script>alert(1)</script> & \"Friends\": Robust Flow Matching", "We study flow matching when titles contain <b>markup</b> & entities.", 3);
        return
        [
            new SelectedPaper(flow, 7.5, ["flow matching"], [Span(flow.Title, "Flow Matching")], [Span(flow.Summary, "Flow matching"), Span(flow.Summary, "flow matching", 2)]),
            new SelectedPaper(hostile, 4, ["flow matching"], [Span(hostile.Title, "Flow Matching")], [Span(hostile.Summary, "flow matching")]),
            new SelectedPaper(agent with { Authors = ["Junyang Wang", "Haiyang Xu", "Haitao Jia", "Xi Zhang"] }, 3.25, ["multi-agent", "LLM agents"],
                [Span(agent.Title, "Multi-Agent")], [Span(agent.Summary, "multi-agent architecture")]),
        ];
    }

    private static TextSpan Span(string text, string part, int occurrence = 1)
    {
        var at = -1;
        for (var i = 0; i < occurrence; i++)
        {
            at = text.IndexOf(part, at + 1, StringComparison.Ordinal);
        }
        if (at < 0)
        {
            throw new ArgumentException($"'{part}' not in '{text[..Math.Min(60, text.Length)]}'");
        }
        return new TextSpan(at, part.Length);
    }
}
