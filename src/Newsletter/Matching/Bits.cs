using System.Numerics;

namespace Newsletter.Matching;

/// <summary>Sets of papers of one day as bit arrays (500 papers: 8 words), so boolean keywords cost a few instructions.</summary>
public static class Bits
{
    public static ulong[] New(int words) => new ulong[words];

    public static void Set(ulong[] bits, int i) => bits[i >> 6] |= 1UL << (i & 63);

    public static bool Has(ulong[] bits, int i) => (bits[i >> 6] & (1UL << (i & 63))) != 0;

    public static bool Any(ulong[] bits)
    {
        foreach (var w in bits)
        {
            if (w != 0)
            {
                return true;
            }
        }
        return false;
    }

    public static int Count(ulong[] bits)
    {
        var n = 0;
        foreach (var w in bits)
        {
            n += BitOperations.PopCount(w);
        }
        return n;
    }

    /// <summary>Indexes of the set bits, ascending.</summary>
    public static IEnumerable<int> Indexes(ulong[] bits)
    {
        for (var w = 0; w < bits.Length; w++)
        {
            var word = bits[w];
            while (word != 0)
            {
                var bit = BitOperations.TrailingZeroCount(word);
                yield return (w << 6) + bit;
                word &= word - 1;
            }
        }
    }
}
