using System.Collections.Concurrent;
using Newsletter.Papers;

namespace Newsletter.Matching;

/// <summary>
/// One day's papers, normalised and tokenised once: every word (by stemmed key and by exact case-kept text) and
/// every hyphen- or space-joined pair of neighbours, with its place. Profiles are evaluated against it; what a term
/// matches is worked out once per day, however many profiles use it.
/// </summary>
public sealed class PaperIndex
{
    public const int Title = 0;
    public const int Summary = 1;

    private const int JoinedPrefix = 4;

    private readonly Postings _byKey = new();
    private readonly Postings _byExact = new();
    // Neighbouring words joined ("fine tuning" → "finetuning"), by their first letters; stemmed only when a keyword
    // could be one of them, since stemming every pair of every abstract would cost more than the rest of the index.
    private readonly List<JoinedPair> _joined = new(1 << 14);
    private readonly Dictionary<long, int> _joinedHeads = [];
    private readonly ConcurrentDictionary<string, List<Occurrence>> _joinedByKey = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TermHits> _terms = new(StringComparer.Ordinal);

    private PaperIndex(IReadOnlyList<Paper> papers)
    {
        Papers = papers;
        Words = Math.Max(1, (papers.Count + 63) / 64);
    }

    public IReadOnlyList<Paper> Papers { get; }

    /// <summary>Length of a paper set's bit array.</summary>
    public int Words { get; }

    public static PaperIndex Build(IReadOnlyList<Paper> papers)
    {
        var index = new PaperIndex(papers);
        for (var p = 0; p < papers.Count; p++)
        {
            index.AddField(p, Title, papers[p].Title);
            index.AddField(p, Summary, papers[p].Summary);
        }
        index._byKey.Seal();
        index._byExact.Seal();
        return index;
    }

    private void AddField(int paper, int field, string text)
    {
        var tokens = Tokenizer.Tokenize(text);
        string? previousLower = null;
        var previousAcronym = false;
        var position = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            // punctuation leaves a gap in the positions, so no phrase runs across it
            position += i == 0 ? 0 : token.JoinsPrevious ? 1 : 2;
            var lower = token.Text.ToLowerInvariant();
            var at = new Occurrence(paper, field, position, position, token.Start, token.End);
            _byKey.Add(WordKeys.Key(lower), at);
            var acronym = !ReferenceEquals(lower, token.Text) && WordKeys.IsAcronym(token.Text);
            if (acronym)
            {
                _byExact.Add(token.Text, at); // only acronym keywords look words up by exact case, and they match only acronyms
            }
            if (token.JoinsPrevious && previousLower is not null && previousLower.Length + lower.Length >= JoinedPrefix
                && !previousAcronym && !acronym)
            {
                // one flat list chained by prefix: far cheaper to build than a list per prefix
                var prefix = Prefix(previousLower, lower);
                var next = _joinedHeads.TryGetValue(prefix, out var head) ? head : -1;
                _joinedHeads[prefix] = _joined.Count;
                _joined.Add(new JoinedPair(previousLower, lower, new Occurrence(paper, field, position - 1, position, tokens[i - 1].Start, token.End), next));
            }
            previousLower = lower;
            previousAcronym = acronym;
        }
    }


    /// <summary>The papers a term (word or phrase, any of its forms) occurs in, per field, with where. Cached per day.</summary>
    public TermHits Resolve(TermNode term)
    {
        if (term.LastResolved is { } last && ReferenceEquals(last.Index, this))
        {
            return last.Hits;
        }
        var hits = _terms.GetOrAdd(term.Canonical, _ => Compute(term));
        term.LastResolved = new ResolvedTerm(this, hits);
        return hits;
    }

    private TermHits Compute(TermNode term)
    {
        var hits = new TermHits(Words);
        foreach (var variant in term.Variants)
        {
            foreach (var (start, end) in Matches(variant))
            {
                hits.Add(start.Paper, start.Field, start.StartChar, end.EndChar);
            }
        }
        return hits;
    }

    /// <summary>Occurrences of the units in order, each starting right after the previous one ends, in one field.</summary>
    private IEnumerable<(Occurrence First, Occurrence Last)> Matches(IReadOnlyList<Unit> units)
    {
        var first = Occurrences(units[0]);
        if (units.Count == 1)
        {
            foreach (var o in first)
            {
                yield return (o, o);
            }
            yield break;
        }
        var following = units.Skip(1).Select(InTextOrder).ToList();
        if (following.Any(f => f.Length == 0))
        {
            yield break;
        }
        foreach (var start in first)
        {
            var current = start;
            var complete = true;
            foreach (var next in following)
            {
                var at = Find(next, current.Paper, current.Field, current.EndPosition + 1);
                if (at < 0)
                {
                    complete = false;
                    break;
                }
                current = next[at];
            }
            if (complete)
            {
                yield return (start, current);
            }
        }
    }

    /// <summary>Joined neighbours whose key is <paramref name="key"/>: only those spelled like its stem are stemmed.</summary>
    private List<Occurrence> JoinedOccurrences(string key)
    {
        var stem = key.Split('|')[0];
        // a stem can end differently from the word (study → studi), so compare all but its last letter
        var spelled = stem.Length > 1 ? stem[..^1] : stem;
        if (spelled.Length < JoinedPrefix && stem.Length < JoinedPrefix)
        {
            return [];
        }
        var prefix = Prefix(spelled.Length >= JoinedPrefix ? spelled : stem, "");
        if (!_joinedHeads.TryGetValue(prefix, out var at))
        {
            return [];
        }
        var found = new List<Occurrence>();
        for (; at >= 0; at = _joined[at].Next)
        {
            var pair = _joined[at];
            if (StartsWith(pair.First, pair.Second, spelled) && WordKeys.Key(pair.First + pair.Second) == key)
            {
                found.Add(pair.At);
            }
        }
        found.Reverse(); // chained newest first; keep text order
        return found;
    }

    /// <summary>The first four letters of <paramref name="a"/> + <paramref name="b"/>, packed into a number (no string is built).</summary>
    private static long Prefix(string a, string b)
    {
        long packed = 0;
        for (var i = 0; i < JoinedPrefix; i++)
        {
            packed = (packed << 16) | (i < a.Length ? a[i] : b[i - a.Length]);
        }
        return packed;
    }

    private static bool StartsWith(string a, string b, string prefix)
    {
        if (a.Length + b.Length < prefix.Length)
        {
            return false;
        }
        for (var i = 0; i < prefix.Length; i++)
        {
            if ((i < a.Length ? a[i] : b[i - a.Length]) != prefix[i])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A unit's occurrences ordered by paper, field and position, for binary search.</summary>
    private Occurrence[] InTextOrder(Unit unit)
    {
        var all = Occurrences(unit).ToArray();
        Array.Sort(all, static (a, b) => a.Paper != b.Paper ? a.Paper.CompareTo(b.Paper) : a.Field != b.Field ? a.Field.CompareTo(b.Field) : a.Position.CompareTo(b.Position));
        return all;
    }

    private static int Find(Occurrence[] sorted, int paper, int field, int position)
    {
        int low = 0, high = sorted.Length - 1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            var o = sorted[mid];
            var order = o.Paper != paper ? o.Paper.CompareTo(paper) : o.Field != field ? o.Field.CompareTo(field) : o.Position.CompareTo(position);
            if (order == 0)
            {
                return mid;
            }
            if (order < 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return -1;
    }

    private IEnumerable<Occurrence> Occurrences(Unit unit)
    {
        if (!unit.Acronym)
        {
            var single = _byKey.Of(unit.Value);
            var joined = _joinedByKey.GetOrAdd(unit.Value, JoinedOccurrences);
            return joined.Count == 0 ? single : single.Concat(joined);
        }
        return _byExact.Of(unit.Value).Concat(_byExact.Of(unit.Value + "s"));
    }

    /// <summary>
    /// Occurrences per key, gathered in one list while building and then laid out as one array with a range per key:
    /// a list per key costs tens of thousands of small allocations per day.
    /// </summary>
    private sealed class Postings
    {
        private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
        private List<(int Id, Occurrence At)>? _added = new(1 << 16);
        private Occurrence[] _all = [];
        private int[] _starts = [];

        public void Add(string key, Occurrence at)
        {
            if (!_ids.TryGetValue(key, out var id))
            {
                _ids[key] = id = _ids.Count;
            }
            _added!.Add((id, at));
        }

        public void Seal()
        {
            var added = _added!;
            _starts = new int[_ids.Count + 1];
            foreach (var (id, _) in added)
            {
                _starts[id + 1]++;
            }
            for (var i = 1; i < _starts.Length; i++)
            {
                _starts[i] += _starts[i - 1];
            }
            _all = new Occurrence[added.Count];
            var next = (int[])_starts.Clone();
            foreach (var (id, at) in added)
            {
                _all[next[id]++] = at;
            }
            _added = null;
        }

        public ArraySegment<Occurrence> Of(string key) =>
            _ids.TryGetValue(key, out var id) ? new ArraySegment<Occurrence>(_all, _starts[id], _starts[id + 1] - _starts[id]) : ArraySegment<Occurrence>.Empty;
    }

    private readonly record struct JoinedPair(string First, string Second, Occurrence At, int Next);

    public readonly record struct Occurrence(int Paper, int Field, int Position, int EndPosition, int StartChar, int EndChar);
}

/// <summary>Where one term occurs: paper sets (any field, title, abstract) and the character spans per paper.</summary>
public sealed class TermHits(int words)
{
    public ulong[] Any { get; } = Bits.New(words);
    public ulong[] Title { get; } = Bits.New(words);
    public ulong[] Summary { get; } = Bits.New(words);

    private readonly Dictionary<int, List<(int Field, int Start, int End)>> _spans = [];

    public void Add(int paper, int field, int start, int end)
    {
        Bits.Set(Any, paper);
        Bits.Set(field == PaperIndex.Title ? Title : Summary, paper);
        if (!_spans.TryGetValue(paper, out var list))
        {
            _spans[paper] = list = [];
        }
        list.Add((field, start, end));
    }

    public IReadOnlyList<(int Field, int Start, int End)> SpansIn(int paper) => _spans.TryGetValue(paper, out var list) ? list : [];
}
