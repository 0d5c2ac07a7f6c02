using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
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

    private readonly Postings _byKey;
    private readonly LongIntMap _keyIds = new(1 << 13); // a word key's process-wide number → its number in _byKey
    private readonly Postings _byExact = new(64);
    private readonly Dictionary<string, int> _exactIds = new(StringComparer.Ordinal);
    private readonly WordKeys.Prefetch? _prefetch;
    // Neighbouring words joined ("fine tuning" → "finetuning"), by their first letters; stemmed only when a keyword
    // could be one of them, since stemming every pair of every abstract would cost more than the rest of the index.
    private readonly List<JoinedPair> _joined;
    private readonly LongIntMap _joinedHeads;
    private readonly ConcurrentDictionary<Unit, Occurrence[]> _units = new();
    private readonly ConcurrentDictionary<string, TermHits> _terms = new(StringComparer.Ordinal);
    private List<Token>? _tokens = new(512); // reused for every field while building

    private PaperIndex(IReadOnlyList<Paper> papers)
    {
        Papers = papers;
        Words = Math.Max(1, (papers.Count + 63) / 64);
        // sized once, a little above the joinable pairs English titles and abstracts have for their length, so the list is not copied as it grows
        var characters = 0L;
        for (var p = 0; p < papers.Count; p++)
        {
            characters += papers[p].Title.Length + papers[p].Summary.Length;
        }
        var joined = (int)Math.Min(characters / 8 + 16, Array.MaxLength);
        _joined = new(joined);
        _joinedHeads = new(1 << 13);
        // sized once, a little above the words English text has for its length: seldom copied, and not much more
        // (fresh memory costs a fresh process a page fault per page)
        _byKey = new((int)Math.Min(characters / 7 + 16, 1 << 24));
        _prefetch = WordKeys.Prefetch.For(characters);
    }

    public IReadOnlyList<Paper> Papers { get; }

    /// <summary>Length of a paper set's bit array.</summary>
    public int Words { get; }

    public static PaperIndex Build(IReadOnlyList<Paper> papers)
    {
        var index = new PaperIndex(papers);
        try
        {
            for (var p = 0; p < papers.Count; p++)
            {
                index.AddField(p, Title, papers[p].Title);
                index.AddField(p, Summary, papers[p].Summary);
            }
            index._prefetch?.Finish();
        }
        finally
        {
            index._prefetch?.Stop();
        }
        index._byKey.Seal(index.KeyNumber);
        index._byExact.Seal(index.ExactNumber);
        index._tokens = null;
        return index;
    }

    private void AddField(int paper, int field, string text)
    {
        Tokenizer.Tokenize(text, _tokens!);
        var tokens = CollectionsMarshal.AsSpan(_tokens);
        string? previousLower = null;
        var previousAcronym = false;
        var position = 0;
        for (var i = 0; i < tokens.Length; i++)
        {
            ref readonly var token = ref tokens[i];
            // punctuation leaves a gap in the positions, so no phrase runs across it
            position += i == 0 ? 0 : token.JoinsPrevious ? 1 : 2;
            var word = token.Word;
            var lower = word.Lower;
            var at = new Occurrence(paper, field, position, position, token.Start, token.End);
            // filed by word, and by key only once every key is known: the day's new words are stemmed meanwhile
            _byKey.Add(word, at);
            _prefetch?.Add(word);
            var acronym = word.IsAcronym;
            if (acronym)
            {
                _byExact.Add(word, at); // only acronym keywords look words up by exact case, and they match only acronyms
            }
            if (token.JoinsPrevious && previousLower is not null && previousLower.Length + lower.Length >= JoinedPrefix
                && !previousAcronym && !acronym)
            {
                // one flat list chained by prefix: far cheaper to build than a list per prefix
                var next = _joinedHeads.Exchange(Prefix(previousLower, lower), _joined.Count);
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
        return hits.Complete();
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
        var following = new Occurrence[units.Count - 1][];
        for (var u = 1; u < units.Count; u++)
        {
            following[u - 1] = Occurrences(units[u]);
            if (following[u - 1].Length == 0)
            {
                yield break;
            }
        }
        foreach (var start in first)
        {
            var current = start;
            var complete = true;
            foreach (var next in following)
            {
                var at = Find(next, TextOrder(current.Paper, current.Field, current.EndPosition + 1));
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

    private static long TextOrder(int paper, int field, int position) => ((long)paper << 33) | ((long)field << 32) | (uint)position;

    private static long TextOrder(in Occurrence o) => TextOrder(o.Paper, o.Field, o.Position);

    private static int Find(Occurrence[] sorted, long wanted)
    {
        int low = 0, high = sorted.Length - 1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            var order = TextOrder(sorted[mid]).CompareTo(wanted);
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

    /// <summary>A unit's occurrences in text order (paper, field, position), for binary search; worked out once per day.</summary>
    private Occurrence[] Occurrences(Unit unit) => _units.GetOrAdd(unit, OccurrencesOf);

    private Occurrence[] OccurrencesOf(Unit unit)
    {
        if (unit.Acronym)
        {
            return Merge(Exact(unit.Value), Exact(unit.Value + "s"));
        }
        var single = WordKeys.TryGetId(unit.Value, out var id) && _keyIds.TryGetValue(id, out var local) ? _byKey.Of(local) : ArraySegment<Occurrence>.Empty;
        return Merge(single, CollectionsMarshal.AsSpan(JoinedOccurrences(unit.Value)));
    }

    private int KeyNumber(Word word) => _keyIds.GetOrAdd(word.KeyId, _keyIds.Count);

    private int ExactNumber(Word word)
    {
        ref var number = ref CollectionsMarshal.GetValueRefOrAddDefault(_exactIds, word.Text, out var known);
        if (!known)
        {
            number = _exactIds.Count - 1;
        }
        return number;
    }

    private ArraySegment<Occurrence> Exact(string text) => _exactIds.TryGetValue(text, out var id) ? _byExact.Of(id) : ArraySegment<Occurrence>.Empty;

    /// <summary>Two lists in text order as one (postings are added in text order, so no sort is needed).</summary>
    private static Occurrence[] Merge(ReadOnlySpan<Occurrence> a, ReadOnlySpan<Occurrence> b)
    {
        if (b.IsEmpty || a.IsEmpty)
        {
            return b.IsEmpty ? a.ToArray() : b.ToArray();
        }
        var merged = new Occurrence[a.Length + b.Length];
        int i = 0, j = 0, k = 0;
        while (i < a.Length && j < b.Length)
        {
            merged[k++] = TextOrder(a[i]) <= TextOrder(b[j]) ? a[i++] : b[j++];
        }
        a[i..].CopyTo(merged.AsSpan(k));
        b[j..].CopyTo(merged.AsSpan(k + a.Length - i));
        return merged;
    }

    /// <summary>
    /// Occurrences per key (numbered from 0), gathered in one pooled buffer while building and then laid out as one
    /// array with a range per key: a list per key costs tens of thousands of small allocations per day, and a fresh
    /// buffer per day megabytes on the large-object heap (each a step towards a full garbage collection).
    /// </summary>
    private sealed class Postings(int capacity)
    {
        private (Word Word, Occurrence At)[]? _added = ArrayPool<(Word, Occurrence)>.Shared.Rent(capacity);
        private int _count;
        private Occurrence[] _all = [];
        private int[] _starts = [];

        public void Add(Word word, Occurrence at)
        {
            if (_count == _added!.Length)
            {
                var larger = ArrayPool<(Word, Occurrence)>.Shared.Rent(_count * 2);
                _added.AsSpan().CopyTo(larger);
                Return(_added);
                _added = larger;
            }
            _added[_count++] = (word, at);
        }

        /// <param name="numberOf">The key number (from 0, consecutive) a word's occurrences are filed under.</param>
        public void Seal(Func<Word, int> numberOf)
        {
            var added = _added!.AsSpan(0, _count);
            var numbers = ArrayPool<int>.Shared.Rent(added.Length);
            var ids = 0;
            for (var i = 0; i < added.Length; i++)
            {
                var number = numberOf(added[i].Word);
                numbers[i] = number;
                ids = Math.Max(ids, number + 1);
            }
            _starts = new int[ids + 1];
            for (var i = 0; i < added.Length; i++)
            {
                _starts[numbers[i] + 1]++;
            }
            for (var i = 1; i < _starts.Length; i++)
            {
                _starts[i] += _starts[i - 1];
            }
            _all = new Occurrence[added.Length];
            var next = (int[])_starts.Clone();
            for (var i = 0; i < added.Length; i++)
            {
                _all[next[numbers[i]]++] = added[i].At;
            }
            ArrayPool<int>.Shared.Return(numbers);
            Return(_added!);
            _added = null;
        }

        public ArraySegment<Occurrence> Of(int id) => new(_all, _starts[id], _starts[id + 1] - _starts[id]);

        private void Return((Word, Occurrence)[] added)
        {
            added.AsSpan(0, Math.Min(_count, added.Length)).Clear(); // the pool must not keep the day's words alive
            ArrayPool<(Word, Occurrence)>.Shared.Return(added);
        }
    }

    /// <summary>
    /// A map from numbers to non-negative numbers (open addressing), for the two look-ups made per word of the day:
    /// cheaper than a <see cref="Dictionary{TKey, TValue}"/>, whose comparer calls and generic code over value types
    /// a fresh process also pays to set up.
    /// </summary>
    private sealed class LongIntMap
    {
        private long[] _keys;
        private int[] _values; // value + 1; 0 marks an empty slot
        private int _shift;

        public LongIntMap(int capacity)
        {
            // not int.Log2: its use of an optional instruction keeps the method out of the precompiled image
            var size = 16;
            _shift = 60;
            while (size < capacity * 2)
            {
                size *= 2;
                _shift--;
            }
            _keys = new long[size];
            _values = new int[size];
        }

        public int Count { get; private set; }

        /// <summary>The value of <paramref name="key"/>, or -1 when it has none; it has <paramref name="value"/> afterwards.</summary>
        public int Exchange(long key, int value)
        {
            var i = Find(key);
            var old = _values[i] - 1;
            _values[i] = value + 1;
            if (old < 0)
            {
                _keys[i] = key;
                Added();
            }
            return old;
        }

        /// <summary>The value of <paramref name="key"/>; <paramref name="value"/> (kept) when it has none yet.</summary>
        public int GetOrAdd(long key, int value)
        {
            var i = Find(key);
            if (_values[i] != 0)
            {
                return _values[i] - 1;
            }
            _keys[i] = key;
            _values[i] = value + 1;
            Added();
            return value;
        }

        public bool TryGetValue(long key, out int value)
        {
            value = _values[Find(key)] - 1;
            return value >= 0;
        }

        /// <summary>The slot of <paramref name="key"/>, or the empty slot where it would go.</summary>
        private int Find(long key)
        {
            var mask = _keys.Length - 1;
            var i = (int)((ulong)key * 0x9E3779B97F4A7C15UL >> _shift);
            while (_values[i] != 0 && _keys[i] != key)
            {
                i = (i + 1) & mask;
            }
            return i;
        }

        private void Added()
        {
            if (++Count * 2 <= _keys.Length)
            {
                return;
            }
            var keys = _keys;
            var values = _values;
            _keys = new long[keys.Length * 2];
            _values = new int[values.Length * 2];
            _shift--;
            for (var j = 0; j < keys.Length; j++)
            {
                if (values[j] != 0)
                {
                    var i = Find(keys[j]);
                    _keys[i] = keys[j];
                    _values[i] = values[j];
                }
            }
        }
    }

    private readonly record struct JoinedPair(string First, string Second, Occurrence At, int Next);

    /// <summary>
    /// Where a word (or a joined pair of words) occurs. Sixteen bytes, not twenty-four: a day's index holds one per
    /// word of every title and abstract, and in a fresh process every page of that memory is a page fault.
    /// </summary>
    public readonly struct Occurrence
    {
        // position << 2 | (end position - position) << 1 | field: a word spans one position, a joined pair two
        private readonly int _place;

        public Occurrence(int paper, int field, int position, int endPosition, int startChar, int endChar)
        {
            Debug.Assert(field is Title or Summary && endPosition - position is 0 or 1 && position is >= 0 and < 1 << 29);
            Paper = paper;
            _place = position << 2 | (endPosition - position) << 1 | field;
            StartChar = startChar;
            EndChar = endChar;
        }

        public int Paper { get; }
        public int Field => _place & 1;
        public int Position => _place >> 2;
        public int EndPosition => (_place >> 2) + ((_place >> 1) & 1);
        public int StartChar { get; }
        public int EndChar { get; }
    }
}

/// <summary>Where one term occurs: paper sets (any field, title, abstract) and the character spans per paper.</summary>
public sealed class TermHits(int words)
{
    public ulong[] Any { get; } = Bits.New(words);
    public ulong[] Title { get; } = Bits.New(words);
    public ulong[] Summary { get; } = Bits.New(words);

    // Spans are only read for the few papers a digest shows: kept in one list as found, grouped by paper on first read.
    private readonly List<(int Paper, int Field, int Start, int End)> _found = [];
    private Lazy<ILookup<int, (int Field, int Start, int End)>>? _byPaper;

    public void Add(int paper, int field, int start, int end)
    {
        Bits.Set(Any, paper);
        Bits.Set(field == PaperIndex.Title ? Title : Summary, paper);
        _found.Add((paper, field, start, end));
    }

    /// <summary>Called once every occurrence is added; spans may be read from any thread afterwards.</summary>
    public TermHits Complete()
    {
        _byPaper = new(() => _found.ToLookup(f => f.Paper, f => (f.Field, f.Start, f.End)));
        return this;
    }

    public IEnumerable<(int Field, int Start, int End)> SpansIn(int paper) => _byPaper!.Value[paper];
}
