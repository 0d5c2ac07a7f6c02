using System.Collections.Concurrent;
using Lucene.Net.Tartarus.Snowball.Ext;

namespace Newsletter.Matching;

/// <summary>
/// The key an ordinary (non-acronym) word is matched by: its Snowball English stem, plus whatever derivational
/// ending the stemmer removed beyond inflection. Inflections meet (models/model, pruned/pruning/prune,
/// finetuning/finetune) while derivations stay apart (transformer ≠ transform ≠ transformation), which Snowball
/// alone would merge.
/// </summary>
public static class WordKeys
{
    private static readonly ConcurrentDictionary<string, string> Cache = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, int> Ids = new(StringComparer.Ordinal);
    private static int _lastId = -1;

    [ThreadStatic]
    private static EnglishStemmer? _stemmer;

    /// <param name="lowerWord">A token's text, lower-cased.</param>
    public static string Key(string lowerWord) => Cache.GetOrAdd(lowerWord, Compute);

    /// <summary>A number for a key, the same for the life of the process: indexes look words up by it, not by string.</summary>
    public static int IdOf(string key) => Ids.TryGetValue(key, out var id) ? id : Ids.GetOrAdd(key, static _ => Interlocked.Increment(ref _lastId));

    /// <summary>The number of a key some word has had; false when no word ever had it (so no index holds it).</summary>
    public static bool TryGetId(string key, out int id) => Ids.TryGetValue(key, out id);

    /// <summary>Acronyms (two or more capitals: RL, MoE, LoRA, ViT) match case-sensitively and are never stemmed.</summary>
    public static bool IsAcronym(string word)
    {
        var capitals = 0;
        foreach (var c in word)
        {
            if (char.IsUpper(c) && ++capitals >= 2)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>An acronym's base, without a plural s: "LLMs" → "LLM".</summary>
    public static string AcronymBase(string word) =>
        word.Length > 2 && word[^1] == 's' && IsAcronym(word[..^1]) ? word[..^1] : word;

    private static string Compute(string word)
    {
        if (word.Length < 3 || !word.All(char.IsLetter))
        {
            return word;
        }
        var stemmer = _stemmer ??= new EnglishStemmer();
        stemmer.SetCurrent(word);
        stemmer.Stem();
        var stem = stemmer.Current;
        var tail = Tail(WithoutInflection(word), stem);
        return tail.Length == 0 ? stem : stem + "|" + tail;
    }

    /// <summary>What the word keeps beyond the stem once plural, -ed and -ing are gone ("transformers" → "er").</summary>
    private static string Tail(string baseForm, string stem)
    {
        if (!baseForm.StartsWith(stem, StringComparison.Ordinal) || baseForm.Length == stem.Length)
        {
            return "";
        }
        var tail = baseForm[stem.Length..];
        // a silent e (finetune/finetun) or a doubled consonant (runn-ing/run) is spelling, not meaning
        if (tail == "e" || (tail.Length == 1 && tail[0] == stem[^1]))
        {
            return "";
        }
        return tail;
    }

    private static string WithoutInflection(string word)
    {
        if (word.Length > 5 && word.EndsWith("ing", StringComparison.Ordinal))
        {
            return word[..^3];
        }
        if (word.Length > 4 && word.EndsWith("ed", StringComparison.Ordinal))
        {
            return word[..^2];
        }
        if (word.Length > 4 && word.EndsWith("ies", StringComparison.Ordinal))
        {
            return word[..^3] + "y";
        }
        if (word.Length > 4 && (word.EndsWith("ses", StringComparison.Ordinal) || word.EndsWith("xes", StringComparison.Ordinal)
            || word.EndsWith("zes", StringComparison.Ordinal) || word.EndsWith("ches", StringComparison.Ordinal) || word.EndsWith("shes", StringComparison.Ordinal)))
        {
            return word[..^2];
        }
        if (word.Length > 3 && word[^1] == 's' && word[^2] is not ('s' or 'u' or 'i'))
        {
            return word[..^1];
        }
        return word;
    }

    /// <summary>
    /// Works out the keys of a day's new words on another core while the index is built on this one: stemming
    /// thousands of words seen for the first time is a good part of the first index of a process. Words are handed
    /// over as the index meets them; whatever is not done when the index is finished is done by the index's thread
    /// (a word's key is computed on first use whichever thread asks, so nothing waits for the other core).
    /// </summary>
    internal sealed class Prefetch
    {
        // below this much text the hand-over costs more than it saves
        private const long MinimumCharacters = 50_000;

        private readonly Word[] _words;
        private int _published;
        private int _next;
        private volatile bool _finished;

        private Prefetch(int capacity) => _words = new Word[capacity];

        /// <summary>A prefetch for an index of this much text, started; null when not worth it.</summary>
        public static Prefetch? For(long characters)
        {
            if (characters < MinimumCharacters || Environment.ProcessorCount < 2)
            {
                return null;
            }
            // a day of abstracts brings about one new word per hundred characters to a fresh process; past the
            // capacity, words are simply left to the index's thread
            var prefetch = new Prefetch((int)Math.Min(characters / 32 + 1024, 1 << 20));
            ThreadPool.UnsafeQueueUserWorkItem(static p => p.Run(), prefetch, preferLocal: false);
            return prefetch;
        }

        /// <summary>Called by the index's thread for each word it files.</summary>
        public void Add(Word word)
        {
            if (word.Prefetched || word.HasKeyId)
            {
                return;
            }
            word.Prefetched = true;
            var count = _published;
            if (count < _words.Length)
            {
                _words[count] = word;
                Volatile.Write(ref _published, count + 1);
            }
        }

        /// <summary>Called by the index's thread once every word is filed: it takes its share of what is left.</summary>
        public void Finish()
        {
            _finished = true;
            while (TryTake(out var word))
            {
                _ = word.KeyId;
            }
        }

        /// <summary>Lets the other core go (also when the index failed).</summary>
        public void Stop() => _finished = true;

        private void Run()
        {
            var wait = new SpinWait();
            while (true)
            {
                if (TryTake(out var word))
                {
                    _ = word.KeyId;
                    wait.Reset();
                }
                else if (_finished)
                {
                    return;
                }
                else
                {
                    wait.SpinOnce();
                }
            }
        }

        private bool TryTake(out Word word)
        {
            while (true)
            {
                var next = Volatile.Read(ref _next);
                if (next >= Volatile.Read(ref _published))
                {
                    word = null!;
                    return false;
                }
                if (Interlocked.CompareExchange(ref _next, next + 1, next) == next)
                {
                    word = _words[next];
                    return true;
                }
            }
        }
    }
}
