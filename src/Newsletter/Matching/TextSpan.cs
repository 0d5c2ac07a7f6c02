namespace Newsletter.Matching;

/// <summary>Where a keyword matched: <paramref name="Start"/> and <paramref name="Length"/> in the original text (to highlight).</summary>
public readonly record struct TextSpan(int Start, int Length)
{
    public int End => Start + Length;
}
