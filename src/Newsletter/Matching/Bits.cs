namespace Newsletter.Matching;

/// <summary>Sets of papers of one day as bit arrays (500 papers: 8 words), so boolean keywords cost a few instructions.</summary>
public static class Bits
{
    public static ulong[] New(int words) => new ulong[words];

    public static void Set(ulong[] bits, int i) => bits[i >> 6] |= 1UL << (i & 63);
}
