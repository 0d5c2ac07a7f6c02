namespace Newsletter.Matching;

/// <summary>
/// Parses one keyword of the profile language into a <see cref="QueryNode"/>:
/// words and phrases (adjacent bare words form a phrase), "quoted phrases", AND, OR, NOT (upper case) and
/// parentheses. NOT binds tightest, then AND, then OR; "a NOT b" means a AND NOT b; a quoted phrase or a
/// parenthesis next to another term without an operator means AND. A qualifier (<see cref="Qualifiers"/>, lower
/// case, right before a word or a quoted phrase: <c>title:diffusion</c>, <c>author:"Geoffrey Hinton"</c>) says
/// where the term is looked for; it is a term like any other for AND, OR, NOT and next-to means AND.
/// </summary>
public sealed class QueryParser
{
    public const int MaxLength = 200;

    private readonly string _text;
    private readonly List<Lexeme> _lexemes;
    private int _at;

    private QueryParser(string text, List<Lexeme> lexemes)
    {
        _text = text;
        _lexemes = lexemes;
    }

    /// <exception cref="QuerySyntaxException">With the reason and the 1-based column.</exception>
    public static QueryNode Parse(string keyword)
    {
        if (string.IsNullOrWhiteSpace(keyword))
        {
            throw new QuerySyntaxException("the keyword is empty", null);
        }
        if (keyword.Length > MaxLength)
        {
            throw new QuerySyntaxException($"the keyword is longer than {MaxLength} characters", MaxLength + 1);
        }
        var parser = new QueryParser(keyword, Lex(keyword));
        if (parser._lexemes.Count == 0)
        {
            throw new QuerySyntaxException("the keyword has no letters or digits", 1);
        }
        var node = parser.ParseOr();
        if (parser._at < parser._lexemes.Count)
        {
            var extra = parser._lexemes[parser._at];
            throw new QuerySyntaxException(extra.Kind == LexemeKind.Close ? "')' has no matching '('" : $"unexpected '{extra.Text}'", extra.Column);
        }
        if (!LooksFor(node))
        {
            throw new QuerySyntaxException("the keyword only says what a paper must not contain; add something to look for, or make it an exclusion", 1);
        }
        return node;
    }

    /// <summary>True when the expression can match on what a paper contains, not only on what it lacks.</summary>
    private static bool LooksFor(QueryNode node) => node switch
    {
        TermNode or FieldNode => true,
        AndNode and => and.Children.Any(LooksFor),
        OrNode or => or.Children.All(LooksFor),
        _ => false,
    };

    private QueryNode ParseOr()
    {
        var children = new List<QueryNode> { ParseAnd() };
        while (Peek(LexemeKind.Or) is { } or)
        {
            _at++;
            if (AtEndOfGroup())
            {
                throw new QuerySyntaxException("'OR' has nothing after it", or.Column);
            }
            children.Add(ParseAnd());
        }
        return children.Count == 1 ? children[0] : new OrNode(children);
    }

    private QueryNode ParseAnd()
    {
        var children = new List<QueryNode> { ParseUnary() };
        while (_at < _lexemes.Count)
        {
            var next = _lexemes[_at];
            if (next.Kind == LexemeKind.And)
            {
                _at++;
                if (AtEndOfGroup())
                {
                    throw new QuerySyntaxException("'AND' has nothing after it", next.Column);
                }
                children.Add(ParseUnary());
            }
            else if (next.Kind is LexemeKind.Not or LexemeKind.Phrase or LexemeKind.Quoted or LexemeKind.Open or LexemeKind.Qualified)
            {
                children.Add(ParseUnary()); // "a NOT b", or two terms side by side: AND
            }
            else
            {
                break;
            }
        }
        return children.Count == 1 ? children[0] : new AndNode(children);
    }

    private QueryNode ParseUnary()
    {
        if (_at >= _lexemes.Count)
        {
            throw new QuerySyntaxException("the keyword ends where a word was expected", _text.Length + 1);
        }
        var lexeme = _lexemes[_at++];
        switch (lexeme.Kind)
        {
            case LexemeKind.Not:
                if (AtEndOfGroup())
                {
                    throw new QuerySyntaxException("'NOT' has nothing after it", lexeme.Column);
                }
                return new NotNode(ParseUnary());
            case LexemeKind.Open:
                if (Peek(LexemeKind.Close) is not null)
                {
                    throw new QuerySyntaxException("empty parentheses", lexeme.Column);
                }
                var inner = ParseOr();
                if (Peek(LexemeKind.Close) is null)
                {
                    throw new QuerySyntaxException("'(' is never closed", lexeme.Column);
                }
                _at++;
                return inner;
            case LexemeKind.Phrase or LexemeKind.Quoted:
                return Term(lexeme);
            case LexemeKind.Qualified:
                return Qualifiers.Compile(lexeme.Qualifier!, lexeme.Text, lexeme.ValueColumn);
            case LexemeKind.Close:
                throw new QuerySyntaxException("')' has no matching '('", lexeme.Column);
            default:
                throw new QuerySyntaxException($"'{lexeme.Text}' has nothing before it", lexeme.Column);
        }
    }

    private static TermNode Term(Lexeme lexeme)
    {
        var tokens = Tokenizer.Tokenize(lexeme.Text);
        if (tokens.Count == 0)
        {
            throw new QuerySyntaxException(lexeme.Kind == LexemeKind.Quoted ? "the quotes hold no letters or digits" : "there are no letters or digits to match", lexeme.Column);
        }
        return TermCompiler.Compile(lexeme.Text.Trim(), tokens);
    }

    private bool AtEndOfGroup() => _at >= _lexemes.Count || _lexemes[_at].Kind is LexemeKind.Close or LexemeKind.And or LexemeKind.Or;

    private Lexeme? Peek(LexemeKind kind) => _at < _lexemes.Count && _lexemes[_at].Kind == kind ? _lexemes[_at] : null;

    private static List<Lexeme> Lex(string text)
    {
        var lexemes = new List<Lexeme>();
        var i = 0;
        while (i < text.Length)
        {
            var c = TextFolding.Fold(text[i]);
            if (c == " " || char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }
            if (c == "\"")
            {
                var (quoted, after) = Quoted(text, i);
                lexemes.Add(new Lexeme(LexemeKind.Quoted, quoted, i + 1));
                i = after;
                continue;
            }
            if (Qualifiers.Lex(text, ref i) is { } qualified)
            {
                lexemes.Add(new Lexeme(LexemeKind.Qualified, qualified.Value, qualified.Column, qualified.Name, qualified.ValueColumn));
                continue;
            }
            if (text[i] is '(' or ')')
            {
                lexemes.Add(new Lexeme(text[i] == '(' ? LexemeKind.Open : LexemeKind.Close, text[i].ToString(), i + 1));
                i++;
                continue;
            }
            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('(' or ')') && TextFolding.Fold(text[i]) is not ("\"" or " "))
            {
                i++;
            }
            var chunk = text[start..i];
            var kind = chunk switch
            {
                "AND" => LexemeKind.And,
                "OR" => LexemeKind.Or,
                "NOT" => LexemeKind.Not,
                _ => LexemeKind.Phrase,
            };
            // bare words next to each other make one phrase: "graph neural network"
            if (kind == LexemeKind.Phrase && lexemes.Count > 0 && lexemes[^1].Kind == LexemeKind.Phrase)
            {
                var previous = lexemes[^1];
                lexemes[^1] = previous with { Text = text[(previous.Column - 1)..i] };
            }
            else
            {
                lexemes.Add(new Lexeme(kind, chunk, start + 1));
            }
        }
        return lexemes;
    }

    /// <summary>The text between the quote at <paramref name="open"/> and the next one, and the index after that.</summary>
    /// <exception cref="QuerySyntaxException">No closing quote, or nothing but spaces between them.</exception>
    internal static (string Text, int After) Quoted(string text, int open)
    {
        var close = open + 1;
        while (close < text.Length && TextFolding.Fold(text[close]) != "\"")
        {
            close++;
        }
        if (close >= text.Length)
        {
            throw new QuerySyntaxException("unbalanced quote", open + 1);
        }
        if (string.IsNullOrWhiteSpace(text[(open + 1)..close]))
        {
            throw new QuerySyntaxException("empty quotes", open + 1);
        }
        return (text[(open + 1)..close], close + 1);
    }

    private enum LexemeKind
    {
        Phrase,
        Quoted,
        And,
        Or,
        Not,
        Open,
        Close,
        Qualified,
    }

    private sealed record Lexeme(LexemeKind Kind, string Text, int Column, string? Qualifier = null, int ValueColumn = 0);
}

/// <summary>A keyword that does not parse: why, and the 1-based column where, if it has a place.</summary>
public sealed class QuerySyntaxException(string reason, int? column) : Exception(reason)
{
    public string Reason { get; } = reason;

    public int? Column { get; } = column;
}
