using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Newsletter.Papers;

namespace Newsletter.Matching;

/// <summary>
/// A day's authors, categories and sources, for the <c>author:</c>, <c>category:</c> and <c>source:</c> qualifiers.
/// Built on the first use of such a qualifier, not with the <see cref="PaperIndex"/>: a day whose profiles use none
/// pays nothing for it. A few thousand names a day: a dictionary by last name, category and source is enough.
/// </summary>
internal sealed class FieldIndex
{
    private static readonly ConditionalWeakTable<PaperIndex, FieldIndex> ByIndex = [];

    private readonly int _words;
    private readonly Dictionary<string, List<(int Paper, string[] Words, string Listed)>> _authorsByLastName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(int Paper, string Listed)>> _categories = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<(int Paper, string Listed)>> _archives = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<(int Paper, string Listed)>> _sources = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, FieldHits> _resolved = new(StringComparer.Ordinal);

    private FieldIndex(PaperIndex index)
    {
        _words = index.Words;
        var papers = index.Papers;
        for (var p = 0; p < papers.Count; p++)
        {
            foreach (var author in papers[p].Authors)
            {
                var words = AuthorNames.Words(author);
                if (words.Length > 0)
                {
                    Add(_authorsByLastName, words[^1], (p, words, author));
                }
            }
            foreach (var category in papers[p].Categories)
            {
                Add(_categories, category, (p, category));
                var dot = category.IndexOf('.', StringComparison.Ordinal);
                if (dot > 0)
                {
                    Add(_archives, category[..dot], (p, category));
                }
            }
            foreach (var source in papers[p].Sources)
            {
                Add(_sources, source, (p, source));
            }
        }
    }

    /// <summary>The papers a field term matches, with what each lists that matched. Cached per day.</summary>
    public static FieldHits Resolve(PaperIndex index, FieldNode node)
    {
        if (node.LastResolved is { } last && ReferenceEquals(last.Index, index))
        {
            return last.Hits;
        }
        var fields = ByIndex.GetValue(index, static i => new FieldIndex(i));
        var hits = fields._resolved.GetOrAdd(node.Canonical, _ => fields.Compute(node));
        node.LastResolved = new ResolvedField(index, hits);
        return hits;
    }

    private FieldHits Compute(FieldNode node)
    {
        var hits = new FieldHits(_words);
        switch (node.Field)
        {
            case PaperField.Author:
                if (_authorsByLastName.TryGetValue(node.Words[^1], out var authors))
                {
                    foreach (var (paper, words, listed) in authors)
                    {
                        if (AuthorNames.Matches(node.Words, words))
                        {
                            hits.Add(paper, listed);
                        }
                    }
                }
                break;
            case PaperField.Category:
                AddAll(hits, _categories, node.Words[0]);
                if (!node.Words[0].Contains('.', StringComparison.Ordinal))
                {
                    AddAll(hits, _archives, node.Words[0]); // cs: every cs.* category
                }
                break;
            default:
                AddAll(hits, _sources, node.Words[0]);
                break;
        }
        return hits;
    }

    private static void AddAll(FieldHits hits, Dictionary<string, List<(int Paper, string Listed)>> from, string key)
    {
        if (from.TryGetValue(key, out var found))
        {
            foreach (var (paper, listed) in found)
            {
                hits.Add(paper, listed);
            }
        }
    }

    private static void Add<T>(Dictionary<string, List<T>> into, string key, T value)
    {
        if (!into.TryGetValue(key, out var list))
        {
            into[key] = list = [];
        }
        list.Add(value);
    }
}

/// <summary>Where one field term matches: the papers, and per paper what they list that matched (for the why-matched line).</summary>
public sealed class FieldHits(int words)
{
    private readonly Dictionary<int, List<string>> _listed = [];

    public ulong[] Papers { get; } = Bits.New(words);

    internal void Add(int paper, string listed)
    {
        Bits.Set(Papers, paper);
        if (!_listed.TryGetValue(paper, out var names))
        {
            _listed[paper] = names = [];
        }
        if (!names.Contains(listed, StringComparer.Ordinal))
        {
            names.Add(listed);
        }
    }

    /// <summary>What paper <paramref name="paper"/> lists that matched, as listed (an author's name, a category).</summary>
    public IReadOnlyList<string> ListedIn(int paper) => _listed.TryGetValue(paper, out var names) ? names : [];
}

/// <summary>
/// Authors' names as <c>author:</c> compares them: folded like the text (no diacritics, any case), word by word.
/// One word is a last name (<c>author:Hinton</c>); several are a name whose last word is the author's last word and
/// whose other words are among the author's other words in order, an initial standing for any word it begins
/// (<c>"Geoffrey Hinton"</c>, <c>"G. Hinton"</c> and <c>"Geoffrey E. Hinton"</c> all match Geoffrey E. Hinton).
/// A first name alone does not match: <c>author:Geoffrey</c> looks for the last name Geoffrey.
/// </summary>
public static class AuthorNames
{
    public static string[] Words(string name) => [.. Tokenizer.Tokenize(name).Select(t => t.Word.Lower)];

    public static bool Matches(IReadOnlyList<string> wanted, string[] author)
    {
        if (author.Length == 0 || wanted.Count == 0 || wanted[^1] != author[^1])
        {
            return false;
        }
        var at = 0;
        for (var w = 0; w < wanted.Count - 1; w++)
        {
            while (at < author.Length - 1 && !SameOrInitial(wanted[w], author[at]))
            {
                at++;
            }
            if (at >= author.Length - 1)
            {
                return false;
            }
            at++;
        }
        return true;
    }

    private static bool SameOrInitial(string a, string b) =>
        a == b || (a.Length == 1 && b[0] == a[0]) || (b.Length == 1 && a[0] == b[0]);
}
