using Microsoft.Extensions.Options;
using Newsletter.Hosting;
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
            throw new TemplateException($"the templates folder {folder} does not exist (setting Templates:Folder).");
        }
        _templates = new[] { DigestHtml, DigestText, ConfirmHtml, ConfirmText }.ToDictionary(name => name, name => Load(folder, name));
        Validate(DigestHtml, SampleModels.Digest);
        Validate(DigestText, SampleModels.Digest);
        Validate(ConfirmHtml, SampleModels.Confirmation);
        Validate(ConfirmText, SampleModels.Confirmation);
    }

    public string Folder { get; }

    // Building Scriban's built-in functions is most of the cost of a fresh TemplateContext: build them once, and
    // keep one context per thread, pushing each model as its globals and popping it after.
    private static readonly ScriptObject Builtins = TemplateContext.GetDefaultBuiltinObject();

    [ThreadStatic]
    private static TemplateContext? _context;

    public string Render(string name, ITemplateModel model)
    {
        var globals = model.ToScriptObject();
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
