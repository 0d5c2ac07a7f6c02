namespace Newsletter.Matching;

/// <summary>
/// Field qualifiers of the profile language: <c>title:</c> and <c>abstract:</c> narrow a word or phrase to one part
/// of the text; <c>author:</c>, <c>category:</c> and <c>source:</c> look at what the listing says about the paper.
/// A qualifier is lower case and touches its value (a word, or a quoted phrase): <c>title:"graph neural network"</c>.
/// Any other colon is text as before: <c>BERT: pre-training</c>, <c>3:1</c>, <c>http://…</c>, <c>Note:x</c>.
/// </summary>
public static class Qualifiers
{
    public const string Author = "author";
    public const string Title = "title";
    public const string Abstract = "abstract";
    public const string Category = "category";
    public const string Source = "source";

    /// <summary>Every qualifier, in the order the help text and error messages list them.</summary>
    public static IReadOnlyList<string> Names { get; } = [Author, Title, Abstract, Category, Source];

    private static readonly string Known = string.Join(", ", Names.Select(n => n + ":"));

    /// <summary>
    /// A qualified term starting at <paramref name="at"/> (moved past it), or null when the text there is not one.
    /// </summary>
    /// <exception cref="QuerySyntaxException">An unknown qualifier (<c>venue:x</c>), or a known one with no value.</exception>
    internal static QualifiedText? Lex(string text, ref int at)
    {
        var start = at;
        var colon = at;
        while (colon < text.Length && text[colon] is >= 'a' and <= 'z')
        {
            colon++;
        }
        if (colon == start || colon >= text.Length || text[colon] != ':')
        {
            return null;
        }
        var name = text[start..colon];
        var valueAt = colon + 1;
        var next = valueAt < text.Length ? text[valueAt] : ' ';
        var quoted = TextFolding.Fold(next) == "\"";
        if (!Names.Contains(name))
        {
            // "venue:x" is meant as a qualifier; "note: x" and "http://x" are not
            return quoted || char.IsLetterOrDigit(next)
                ? throw new QuerySyntaxException($"unknown qualifier '{name}:' (known: {Known})", start + 1)
                : null;
        }
        if (char.IsWhiteSpace(next) || TextFolding.Fold(next) == " ")
        {
            throw new QuerySyntaxException($"'{name}:' has nothing right after it: write {name}:word or {name}:\"a phrase\"", start + 1);
        }
        if (next is '(' or ')')
        {
            throw new QuerySyntaxException($"'{name}:' takes a word or a quoted phrase, not parentheses", start + 1);
        }
        if (quoted)
        {
            var (value, after) = QueryParser.Quoted(text, valueAt);
            at = after;
            return new QualifiedText(name, value, start + 1, valueAt + 2);
        }
        var stop = valueAt;
        while (stop < text.Length && !char.IsWhiteSpace(text[stop]) && text[stop] is not ('(' or ')') && TextFolding.Fold(text[stop]) is not ("\"" or " "))
        {
            stop++;
        }
        at = stop;
        return new QualifiedText(name, text[valueAt..stop], start + 1, valueAt + 1);
    }

    /// <exception cref="QuerySyntaxException">A value the qualifier cannot use, at <paramref name="column"/>.</exception>
    internal static QueryNode Compile(string name, string value, int column)
    {
        switch (name)
        {
            case Title or Abstract:
                var tokens = Tokenizer.Tokenize(value);
                if (tokens.Count == 0)
                {
                    throw new QuerySyntaxException($"'{name}:' needs letters or digits after it", column);
                }
                return TermCompiler.Compile(value.Trim(), tokens) with { Scope = name == Title ? TextScope.Title : TextScope.Abstract };
            case Author:
                var words = AuthorNames.Words(value);
                return words.Length == 0
                    ? throw new QuerySyntaxException("'author:' needs a name (a last name, or a full name in quotes)", column)
                    : new FieldNode(PaperField.Author, value.Trim(), words);
            case Category:
                return IsName(value, allowDot: true)
                    ? new FieldNode(PaperField.Category, value, [value.ToLowerInvariant()])
                    : throw new QuerySyntaxException($"'{value}' is not a category: write one like cs.CL, or cs for the whole archive", column);
            default:
                return IsName(value, allowDot: true)
                    ? new FieldNode(PaperField.Source, value, [value.ToLowerInvariant()])
                    : throw new QuerySyntaxException($"'{value}' is not a source name: write a configured source's name, like hf", column);
        }
    }

    private static bool IsName(string value, bool allowDot) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' || (allowDot && c == '.'));
}

/// <summary>A qualifier and its value as written, with the 1-based columns of the qualifier and of its value.</summary>
internal sealed record QualifiedText(string Name, string Value, int Column, int ValueColumn);

/// <summary>What a listing says about a paper besides its text.</summary>
public enum PaperField
{
    Author,
    Category,
    Source,
}

/// <summary>
/// An <c>author:</c>, <c>category:</c> or <c>source:</c> term: <paramref name="Words"/> are the author's name folded
/// and lower-cased word by word, or the one lower-cased category or source name.
/// </summary>
public sealed record FieldNode(PaperField Field, string Text, IReadOnlyList<string> Words) : QueryNode
{
    /// <summary>The same for every term that means the same thing: the day's answer is cached under it.</summary>
    public string Canonical { get; } = $"{Field}:{string.Join(' ', Words)}";

    /// <summary>The answer of the last index this term was resolved against (as <see cref="TermNode.LastResolved"/>).</summary>
    internal ResolvedField? LastResolved { get; set; }

    /// <summary>How the why-matched line names the qualifier: <c>author</c>, <c>category</c>, <c>source</c>.</summary>
    public string Label => Field switch
    {
        PaperField.Author => Qualifiers.Author,
        PaperField.Category => Qualifiers.Category,
        _ => Qualifiers.Source,
    };
}

internal sealed record ResolvedField(PaperIndex Index, FieldHits Hits);
