using System.Globalization;
using Microsoft.Extensions.Options;
using Newsletter.Common;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;
using Scriban.Syntax;

namespace Newsletter.Digests;

/// <summary>
/// The email templates, read from the templates folder and parsed once. Loading also renders each template
/// with sample data, so a syntax error or an unknown variable stops start-up naming the file, line and column.
/// </summary>
public sealed class TemplateSet
{
    public const string DigestHtml = "digest.sbnhtml";
    public const string DigestText = "digest.sbntxt";
    public const string ConfirmHtml = "confirm.sbnhtml";
    public const string ConfirmText = "confirm.sbntxt";
    public const string PaperHtml = "digest-paper.sbnhtml";
    public const string PaperText = "digest-paper.sbntxt";

    /// <summary>Every template the folder must hold; all are read and checked at start-up.</summary>
    public static readonly IReadOnlyList<string> Names = [DigestHtml, DigestText, PaperHtml, PaperText, ConfirmHtml, ConfirmText];

    private readonly Dictionary<string, Template> _templates;

    public TemplateSet(IOptions<TemplateOptions> options, NewsletterHome home)
        : this(FolderFor(options.Value, home))
    {
    }

    /// <summary>The configured folder; by default the home's templates/, else the copy shipped beside the program.</summary>
    private static string FolderFor(TemplateOptions options, NewsletterHome home)
    {
        if (!string.IsNullOrWhiteSpace(options.Folder))
        {
            return home.Resolve(options.Folder);
        }
        var inHome = home.Resolve("templates");
        return Directory.Exists(inHome) ? inHome : Path.Combine(AppContext.BaseDirectory, "templates");
    }

    public TemplateSet(string folder)
    {
        Folder = folder;
        if (!Directory.Exists(folder))
        {
            throw new TemplateException($"the templates folder {folder} does not exist (setting {TemplateOptions.Section}:{nameof(TemplateOptions.Folder)}).");
        }
        _templates = Names.ToDictionary(name => name, name => Load(folder, name));
        foreach (var paper in SampleModels.Digest.Papers)
        {
            Validate(PaperHtml, new PaperScope(paper, null));
            Validate(PaperText, new PaperScope(paper, null));
        }
        RankIsPlainText = PrintsRankAsText(SampleModels.Digest.Papers[0]);
        var sample = SampleModels.Digest with { Papers = [.. SampleModels.Digest.Papers.Select(WithBlocks)] };
        Validate(DigestHtml, sample);
        Validate(DigestText, sample);
        CheckSignatureSeparator(Render(DigestText, sample));
        BlocksWriteIn = RankIsPlainText && WritesBlocksIn(sample);
        Validate(ConfirmHtml, SampleModels.Confirmation);
        Validate(ConfirmText, SampleModels.Confirmation);
    }

    public string Folder { get; }

    // Building Scriban's built-in functions is most of the cost of a fresh TemplateContext: build them once, and
    // keep one context per thread, pushing each model as its globals and popping it after.
    private static readonly ScriptObject Builtins = TemplateContext.GetDefaultBuiltinObject();

    [ThreadStatic]
    private static TemplateContext? _context;

    public string Render(string name, ITemplateModel model) => Render(name, model.ToScriptObject());

    /// <summary>
    /// Renders with globals already built (a digest's two parts share one set); a text part comes out wrapped
    /// (<see cref="PlainText"/>), so a template need not know how long its values are.
    /// </summary>
    public string Render(string name, ScriptObject globals)
    {
        var rendered = RenderAsIs(name, globals);
        return name.EndsWith(".sbntxt", StringComparison.Ordinal) ? PlainText.Wrap(rendered) : rendered;
    }

    private string RenderAsIs(string name, ScriptObject globals)
    {
        var context = _context ??= new TemplateContext(Builtins)
        {
            StrictVariables = true,
            LoopLimit = 10_000,
            // re-indenting every inserted value costs more than the rest of a render; the templates indent by hand
            AutoIndent = false,
            MemberRenamer = StandardMemberRenamer.Default,
        };
        context.PushGlobal(globals);
        try
        {
            return _templates[name].Render(context);
        }
        finally
        {
            context.PopGlobal();
            context.Reset();
        }
    }

    /// <summary>Stands for the rank in a block rendered once for every rank (a private-use character no paper text contains).</summary>
    public const string RankMark = "\uE000";

    /// <summary>
    /// Whether the paper blocks only print the rank as it is (the shipped ones do), so one rendering of a block with
    /// <see cref="RankMark"/> for the rank serves every rank. A template that computes with the rank gets a block per rank.
    /// </summary>
    public bool RankIsPlainText { get; }

    private bool PrintsRankAsText(DigestPaper sample)
    {
        var real = WithBlocks(sample with { Rank = 7 });
        var numbered = WithBlocks(sample with { Rank = 0 }, RankMark).AtRank(7);
        return real.Html == numbered.Html && real.Text == numbered.Text;
    }

    /// <summary>Stand for a paper's parts in a digest's pages rendered without them (private-use characters, like <see cref="RankMark"/>).</summary>
    internal const string HtmlPlaceholder = "\uE001";

    internal const string TextPlaceholder = "\uE002";

    /// <summary>
    /// Whether a digest's page templates only print each paper's parts as they are, in the papers' order (the shipped
    /// ones do): then the pages are rendered with placeholders and the numbered blocks written in where they stand,
    /// instead of a copy of every block at its rank for every digest going through the template engine.
    /// </summary>
    public bool BlocksWriteIn { get; }

    private bool WritesBlocksIn(DigestModel rendered)
    {
        var marked = rendered with { Papers = [.. SampleModels.Digest.Papers.Select(p => WithBlocks(p with { Rank = 0 }, RankMark).AtRank(p.Rank))] };
        return WithBlocksWrittenIn(marked, static (part, _) => part.ToString()) is var (html, text) && html == Render(DigestHtml, rendered) && text == Render(DigestText, rendered);
    }

    /// <summary>Reads a digest's part where it was written, before the next part takes the buffer (<paramref name="html"/>: which part).</summary>
    public delegate T PartReader<out T>(ReadOnlySpan<char> part, bool html);

    /// <summary>A digest's two parts, its blocks written into the rendered pages; null where that does not apply (then <see cref="Render(string, ScriptObject)"/> the model).</summary>
    public (string Html, string Text)? RenderWithBlocksWrittenIn(DigestModel model) => RenderWithBlocksWrittenIn(model, static (part, _) => part.ToString());

    /// <summary>
    /// As <see cref="RenderWithBlocksWrittenIn(DigestModel)"/>, each part handed to <paramref name="read"/> from the
    /// buffer it was written in: a digest on its way to the wire needs its parts' bytes, and a string of each part
    /// first was a fifth of everything the send allocated.
    /// </summary>
    public (T Html, T Text)? RenderWithBlocksWrittenIn<T>(DigestModel model, PartReader<T> read) => BlocksWriteIn ? WithBlocksWrittenIn(model, read) : null;

    private (T Html, T Text)? WithBlocksWrittenIn<T>(DigestModel model, PartReader<T> read)
    {
        try
        {
            return WrittenIn(model, read);
        }
        catch (ScriptRuntimeException)
        {
            // a page template that computes with a paper's rank meets the mark instead of a number; rendered the whole
            // way, it either works or fails with its own error
            return null;
        }
    }

    private (T Html, T Text)? WrittenIn<T>(DigestModel model, PartReader<T> read)
    {
        foreach (var paper in model.Papers)
        {
            if (paper.Marked is null)
            {
                return null;
            }
        }
        if (HasPlaceholder(model.SubscriberName) || HasPlaceholder(model.Email))
        {
            return null; // a typed name holding one would move the blocks
        }
        var globals = model.ToScriptObject(placeholders: true);
        if (!WriteIn(RenderAsIs(DigestHtml, globals), HtmlPlaceholder[0], model.Papers, html: true))
        {
            return null;
        }
        var html = read(Written(), html: true);
        if (!WriteIn(RenderAsIs(DigestText, globals), TextPlaceholder[0], model.Papers, html: false))
        {
            return null;
        }
        var text = Written();
        // the blocks come wrapped and the page's lines nearly always fit: a string to wrap only when one does not
        return (html, LinesToWrap.First(text, PlainText.Width, except: null) > text.Length ? read(text, html: false) : read(PlainText.Wrap(text.ToString()), html: false));
    }

    private static bool HasPlaceholder(string? value) => value is not null && value.AsSpan().IndexOfAnyInRange('\uE000', '\uE002') >= 0;

    [ThreadStatic]
    private static System.Text.StringBuilder? _page;

    [ThreadStatic]
    private static char[]? _written;

    /// <summary>Into <see cref="_page"/>: the page with each placeholder replaced by the next paper's part; false unless there is exactly one per paper.</summary>
    private static bool WriteIn(string page, char placeholder, IReadOnlyList<DigestPaper> papers, bool html)
    {
        var output = _page ??= new System.Text.StringBuilder(64 * 1024);
        output.Clear();
        var at = 0;
        for (var i = 0; ; i++)
        {
            var found = page.IndexOf(placeholder, at);
            if (found < 0 ? i != papers.Count : i == papers.Count)
            {
                return false;
            }
            if (found < 0)
            {
                break;
            }
            output.Append(page, at, found - at);
            var parts = papers[i].Marked!.Parts;
            _ = html ? parts.WriteHtml(output, papers[i].Rank) : parts.WriteText(output, papers[i].Rank);
            at = found + 1;
        }
        output.Append(page, at, page.Length - at);
        return true;
    }

    /// <summary>The page last written in, as one span (a builder's chunks are not); valid until the next.</summary>
    private static ReadOnlySpan<char> Written()
    {
        var page = _page!;
        if (_written is null || _written.Length < page.Length)
        {
            _written = new char[Math.Max(page.Length + page.Length / 2, 64 * 1024)];
        }
        page.CopyTo(0, _written, page.Length);
        return _written.AsSpan(0, page.Length);
    }

    /// <summary>The paper with its two blocks rendered (the expensive part of a digest, done once per distinct paper block).</summary>
    public DigestPaper WithBlocks(DigestPaper paper) => WithBlocks(paper, null);

    /// <param name="rankText">Printed for the rank instead of the number (<see cref="RankMark"/>).</param>
    public DigestPaper WithBlocks(DigestPaper paper, string? rankText)
    {
        var globals = new PaperScope(paper, rankText).ToScriptObject();
        // a block's last line break belongs to the page template, which places the blocks; a line with the mark for the
        // rank is wrapped once numbered (DigestPaper.AtRank), the rest now, once for every rank
        var text = rankText is null ? Render(PaperText, globals) : PlainText.Wrap(RenderAsIs(PaperText, globals), except: rankText);
        return paper with { Html = Render(PaperHtml, globals).TrimEnd('\r', '\n'), Text = text.TrimEnd('\r', '\n') };
    }

    /// <summary>What a paper block's template sees: the paper as <c>paper</c>.</summary>
    private sealed class PaperScope(DigestPaper paper, string? rankText) : ITemplateModel
    {
        // not the paper's cached object: that one is for the finished paper, with its blocks
        public ScriptObject ToScriptObject()
        {
            var fields = paper.BuildScriptObject();
            if (rankText is not null)
            {
                fields["rank"] = rankText;
            }
            return new ScriptObject { ["paper"] = fields };
        }
    }

    /// <summary>
    /// A signature separator is "-- " with its space (RFC 3676): mail programs grey out or strip what follows it only
    /// then, and an editor that trims trailing spaces takes it away without anyone noticing.
    /// </summary>
    private static void CheckSignatureSeparator(string text)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        var bare = Array.IndexOf(lines, "--");
        if (bare >= 0)
        {
            throw new TemplateException($"template {DigestText} writes the signature separator \"--\" without its trailing space (line {bare + 1} of the rendered text): write \"-- \".");
        }
    }

    private static Template Load(string folder, string name)
    {
        var path = Path.Combine(folder, name);
        if (!File.Exists(path))
        {
            throw new TemplateException($"template {name} is missing from {folder}.");
        }
        var template = Template.Parse(File.ReadAllText(path), path);
        var error = template.Messages.FirstOrDefault(m => m.Type == ParserMessageType.Error);
        if (error is not null)
        {
            throw new TemplateException($"template {name} has an error at line {error.Span.Start.Line + 1}, column {error.Span.Start.Column + 1}: {error.Message}");
        }
        return template;
    }

    private void Validate(string name, ITemplateModel sample)
    {
        try
        {
            Render(name, sample);
        }
        catch (ScriptRuntimeException e)
        {
            throw new TemplateException($"template {name} fails at line {e.Span.Start.Line + 1}, column {e.Span.Start.Column + 1}: {e.OriginalMessage}", e);
        }
    }
}

/// <summary>A template is broken or missing; the message names it and, where it can, the line and column.</summary>
public sealed class TemplateException(string message, Exception? inner = null) : Exception(message, inner);
