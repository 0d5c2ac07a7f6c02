using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Newsletter.Digests;

/// <summary>
/// Finds the lines <see cref="PlainText.Wrap"/> has to wrap. Every digest's text goes through it, its paper blocks
/// wrapped already, so nearly always nothing is found: one vectorised pass finds the line breaks and anything that
/// may be wide, and a line is looked at only when it has more characters than the width (a link) or may hold wide
/// ones. Searching line by line, for lines that almost never need it, was a visible share of rendering every digest.
/// </summary>
internal static class LinesToWrap
{
    /// <summary>
    /// Whether <paramref name="line"/> needs wrapping: longer than the width, with a space to break at. A line without
    /// one (a long link on its own) stays as it is, or every digest, which carries two such links, would be copied for nothing.
    /// </summary>
    public static bool Needs(ReadOnlySpan<char> line, int width, string? except = null) =>
        !Columns.Fit(line, width) && line.TrimStart(' ').Contains(' ') && (except is null || !line.Contains(except, StringComparison.Ordinal));

    /// <summary>Where the first line that may need wrapping starts; past the end when none does.</summary>
    public static int First(ReadOnlySpan<char> text, int width, string? except)
    {
        var chars = MemoryMarshal.Cast<char, ushort>(text);
        ref var first = ref MemoryMarshal.GetReference(chars);
        var lineStart = 0;
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + Vector256<ushort>.Count <= chars.Length; i += Vector256<ushort>.Count)
            {
                var chunk = Vector256.LoadUnsafe(ref first, (nuint)i);
                var wide = Vector256.GreaterThanOrEqual(chunk, Vector256.Create(WideFrom)) | Vector256.LessThan(chunk - Vector256.Create(JamoFrom), Vector256.Create(JamoCount));
                var breaks = Vector256.Equals(chunk, Vector256.Create((ushort)'\n'));
                if ((wide | breaks) == Vector256<ushort>.Zero)
                {
                    continue; // most of the text: inside a line, nothing wide
                }
                if (wide != Vector256<ushort>.Zero || !LinesFit(text, i, breaks.ExtractMostSignificantBits(), ref lineStart, width, except))
                {
                    return lineStart;
                }
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + Vector128<ushort>.Count <= chars.Length; i += Vector128<ushort>.Count)
            {
                var chunk = Vector128.LoadUnsafe(ref first, (nuint)i);
                var wide = Vector128.GreaterThanOrEqual(chunk, Vector128.Create(WideFrom)) | Vector128.LessThan(chunk - Vector128.Create(JamoFrom), Vector128.Create(JamoCount));
                var breaks = Vector128.Equals(chunk, Vector128.Create((ushort)'\n'));
                if ((wide | breaks) == Vector128<ushort>.Zero)
                {
                    continue;
                }
                if (wide != Vector128<ushort>.Zero || !LinesFit(text, i, breaks.ExtractMostSignificantBits(), ref lineStart, width, except))
                {
                    return lineStart;
                }
            }
        }
        return Columns.MayBeWide(text[i..]) ? lineStart : LastLinesToCheck(text, i, lineStart, width, except);
    }

    // what Columns.MayBeWide looks for: U+1100–U+115F and U+2E80 on (surrogates included)
    private const ushort WideFrom = 0x2E80;
    private const ushort JamoFrom = 0x1100;
    private const ushort JamoCount = 0x60;

    /// <summary>Moves <paramref name="lineStart"/> past the lines that end in the chunk at <paramref name="chunkStart"/> (its line breaks' bits); false at the first that needs wrapping.</summary>
    private static bool LinesFit(ReadOnlySpan<char> text, int chunkStart, uint breaks, ref int lineStart, int width, string? except)
    {
        for (; breaks != 0; breaks &= breaks - 1)
        {
            var end = chunkStart + BitOperations.TrailingZeroCount(breaks);
            if (end - lineStart > width && Needs(text.Slice(lineStart, end - lineStart), width, except))
            {
                return false;
            }
            lineStart = end + 1;
        }
        return true;
    }

    private static int LastLinesToCheck(ReadOnlySpan<char> text, int from, int lineStart, int width, string? except)
    {
        for (var i = from; i <= text.Length; i++)
        {
            if (i == text.Length || text[i] == '\n')
            {
                if (i - lineStart > width && Needs(text.Slice(lineStart, i - lineStart), width, except))
                {
                    return lineStart;
                }
                lineStart = i + 1;
            }
        }
        return text.Length + 1;
    }
}
