using System.Globalization;

namespace Newsletter.Sources;

/// <summary>Reads a listing's bytes up to Sources:MaxListingBytes, whatever the stream claims about its length.</summary>
public static class ListingBody
{
    private const int ChunkBytes = 81_920;

    /// <summary>
    /// Every read is awaited under <paramref name="cancellationToken"/> even when the stream ignores it (a pipe or a
    /// device blocks in read() where no token reaches), so a body that trickles cannot outlast the deadline.
    /// </summary>
    public static async Task<ArraySegment<byte>> ReadAsync(Stream stream, long limit, string source, long? expected, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream((int)Math.Min(expected ?? ChunkBytes, limit));
        // not pooled: a read abandoned at the deadline may still write into it
        var chunk = new byte[ChunkBytes];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).AsTask().WaitAsync(cancellationToken)) > 0)
        {
            total += read;
            if (total > limit)
            {
                throw TooLarge(source, limit);
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.TryGetBuffer(out var bytes) ? bytes : buffer.ToArray();
    }

    public static ListingException TooLarge(string source, long limit, long? size = null) => new(size is { } known
        ? $"{source} is {known.ToString("N0", CultureInfo.InvariantCulture)} bytes, over the limit Sources:MaxListingBytes = {limit.ToString("N0", CultureInfo.InvariantCulture)}."
        : $"{source} is larger than the limit Sources:MaxListingBytes = {limit.ToString("N0", CultureInfo.InvariantCulture)} bytes; stopped reading there.");
}
