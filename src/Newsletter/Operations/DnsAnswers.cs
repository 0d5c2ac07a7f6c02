using System.Text;

namespace Newsletter.Operations;

/// <summary>One TXT record: its owner name (lower-case, no trailing dot) and its strings joined.</summary>
public sealed record TxtAnswer(string Name, string Value);

/// <summary>
/// TXT records read from a file, for <c>doctor --dns-file</c>: no resolver needs to be reachable from the machine
/// that runs doctor. The format is zone-file lines, which is also what <c>dig +noall +answer TXT name</c> prints:
/// <c>name [ttl] [IN] TXT "string" ["string"…]</c>, full names, <c>;</c> comments, parentheses across lines.
/// Other record types are skipped.
/// </summary>
public static class DnsAnswers
{
    /// <exception cref="FormatException">A TXT line without a quoted string, or a quote left open; the message gives the line.</exception>
    public static List<TxtAnswer> Parse(string text)
    {
        var answers = new List<TxtAnswer>();
        var tokens = new List<(string Text, bool Quoted)>();
        var depth = 0;
        var startLine = 0;
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var number = 0; number < lines.Length; number++)
        {
            if (depth == 0)
            {
                tokens.Clear();
                startLine = number + 1;
            }
            depth = Tokenize(lines[number], number + 1, tokens, depth);
            if (depth == 0 && tokens.Count > 0)
            {
                if (Record(tokens, startLine) is { } answer)
                {
                    answers.Add(answer);
                }
            }
        }
        if (depth != 0)
        {
            throw new FormatException($"line {startLine}: a parenthesis is left open.");
        }
        return answers;
    }

    /// <summary>The records at <paramref name="name"/>, compared without case and trailing dot.</summary>
    public static IEnumerable<TxtAnswer> At(this IEnumerable<TxtAnswer> answers, string name)
    {
        var wanted = Normalize(name);
        return answers.Where(a => a.Name == wanted);
    }

    private static TxtAnswer? Record(List<(string Text, bool Quoted)> tokens, int line)
    {
        var type = tokens.FindIndex(t => !t.Quoted && t.Text.Equals("TXT", StringComparison.OrdinalIgnoreCase));
        if (type < 1)
        {
            return null; // another record type, or a line without a name
        }
        var strings = tokens.Skip(type + 1).ToList();
        if (strings.Count == 0 || strings.Any(t => !t.Quoted))
        {
            throw new FormatException($"line {line}: a TXT record's value must be one or more \"quoted strings\".");
        }
        return new TxtAnswer(Normalize(tokens[0].Text), string.Concat(strings.Select(t => t.Text)));
    }

    /// <returns>The parenthesis depth at the end of the line.</returns>
    private static int Tokenize(string line, int number, List<(string, bool)> tokens, int depth)
    {
        var i = 0;
        while (i < line.Length)
        {
            var c = line[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == ';')
            {
                break; // a comment, to the end of the line
            }
            else if (c is '(' or ')')
            {
                depth += c == '(' ? 1 : -1;
                i++;
            }
            else if (c == '"')
            {
                var value = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        throw new FormatException($"line {number}: a quoted string is not closed.");
                    }
                    if (line[i] == '\\' && i + 1 < line.Length)
                    {
                        value.Append(line[i + 1]);
                        i += 2;
                    }
                    else if (line[i] == '"')
                    {
                        i++;
                        break;
                    }
                    else
                    {
                        value.Append(line[i++]);
                    }
                }
                tokens.Add((value.ToString(), true));
            }
            else
            {
                var start = i;
                while (i < line.Length && !char.IsWhiteSpace(line[i]) && line[i] is not ('"' or ';' or '(' or ')'))
                {
                    i++;
                }
                tokens.Add((line[start..i], false));
            }
        }
        return Math.Max(depth, 0);
    }

    private static string Normalize(string name) => name.Trim().TrimEnd('.').ToLowerInvariant();
}
