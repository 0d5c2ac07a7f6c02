using System.Collections.Concurrent;

namespace Newsletter.Digests;

/// <summary>
/// The rendered blocks of papers, kept while the process runs: on a send day thousands of subscribers get the same
/// paper at the same rank for the same keywords, and its escaping, highlighting and two template renders are most
/// of a digest's cost. A block is keyed by everything it shows, so a changed title, abstract or upvote count is a new block.
/// </summary>
/// <remarks>
/// Bounded by two generations of at most <c>generation</c> blocks each: new blocks go into the young one, a block
/// found in the old one is carried into the young one, and when the young one is full it becomes the old one and the
/// old one is let go. The blocks in use stay, those of yesterday or of a rare match leave within two generations, and
/// the memory held is the same for a hundred thousand subscribers as for a million (a cache emptied when full held
/// whatever a day had reached by then, its size growing with the day until the first emptying).
/// </remarks>
public sealed class PaperBlocks(int generation = PaperBlocks.DefaultGeneration)
{
    /// <summary>
    /// Three thousand a generation keep 98-99 % of a real day's blocks reused (`bench render` over 100,000 and 300,000
    /// digests); two thousand kept 96 % and rendered four times as many, five thousand held up to 10,000 blocks again.
    /// </summary>
    public const int DefaultGeneration = 3_000;

    private readonly Lock _turning = new();
    private volatile ConcurrentDictionary<BlockKey, DigestPaper> _young = new();
    private volatile ConcurrentDictionary<BlockKey, DigestPaper> _old = new();
    private int _youngCount; // counted here: ConcurrentDictionary.Count takes every lock of the dictionary
    private long _hits;
    private long _misses;

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>How many blocks are held now (at most two generations).</summary>
    public int Count => _young.Count + _old.Count;

    /// <param name="rank">The key's rank: 0 when the blocks are rendered once for every rank.</param>
    public DigestPaper GetOrRender(int rank, SelectedPaper selected, Func<int, SelectedPaper, DigestPaper> render)
    {
        var key = new BlockKey(rank, selected);
        var young = _young;
        if (young.TryGetValue(key, out var block))
        {
            Interlocked.Increment(ref _hits);
            return block;
        }
        if (_old.TryGetValue(key, out block))
        {
            Interlocked.Increment(ref _hits);
        }
        else
        {
            Interlocked.Increment(ref _misses);
            block = render(rank, selected);
        }
        if (young.TryAdd(key, block) && Interlocked.Increment(ref _youngCount) >= generation)
        {
            Turn(young);
        }
        return block;
    }

    private void Turn(ConcurrentDictionary<BlockKey, DigestPaper> full)
    {
        lock (_turning)
        {
            if (ReferenceEquals(_young, full))
            {
                _old = full;
                _youngCount = 0;
                _young = new ConcurrentDictionary<BlockKey, DigestPaper>();
            }
        }
    }

    private readonly struct BlockKey(int rank, SelectedPaper selected) : IEquatable<BlockKey>
    {
        private readonly int _rank = rank;
        private readonly SelectedPaper _selected = selected;
        private readonly int _hash = Hash(rank, selected);

        public bool Equals(BlockKey other)
        {
            var (a, b) = (_selected, other._selected);
            return _hash == other._hash && _rank == other._rank
                && a.Paper.Id == b.Paper.Id && a.Paper.Upvotes == b.Paper.Upvotes
                && a.Paper.Title == b.Paper.Title && a.Paper.Summary == b.Paper.Summary && a.Paper.Organization == b.Paper.Organization
                && Same(a.Paper.Authors, b.Paper.Authors) && Same(a.Matched, b.Matched) && Same(a.TitleSpans, b.TitleSpans) && Same(a.SummarySpans, b.SummarySpans);
        }

        // by index, not SequenceEqual: no enumerator to allocate on the hot path
        private static bool Same<T>(IReadOnlyList<T> a, IReadOnlyList<T> b)
        {
            if (ReferenceEquals(a, b))
            {
                return true;
            }
            if (a.Count != b.Count)
            {
                return false;
            }
            for (var i = 0; i < a.Count; i++)
            {
                if (!EqualityComparer<T>.Default.Equals(a[i], b[i]))
                {
                    return false;
                }
            }
            return true;
        }

        public override bool Equals(object? obj) => obj is BlockKey other && Equals(other);

        public override int GetHashCode() => _hash;

        private static int Hash(int rank, SelectedPaper s)
        {
            var hash = new HashCode();
            hash.Add(rank);
            hash.Add(s.Paper.Id);
            hash.Add(s.Paper.Upvotes);
            hash.Add(s.Paper.Title.Length);
            hash.Add(s.Paper.Summary.Length);
            for (var i = 0; i < s.Matched.Count; i++)
            {
                hash.Add(s.Matched[i]);
            }
            for (var i = 0; i < s.TitleSpans.Count; i++)
            {
                hash.Add(s.TitleSpans[i]);
            }
            for (var i = 0; i < s.SummarySpans.Count; i++)
            {
                hash.Add(s.SummarySpans[i]);
            }
            return hash.ToHashCode();
        }
    }
}
