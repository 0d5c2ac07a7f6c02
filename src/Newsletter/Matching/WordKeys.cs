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
}
