namespace Newsletter.Sources;

/// <summary>A listing could not be fetched or read; the message names the source and the cause.</summary>
public sealed class ListingException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>
    /// The source could not be reached (network, HTTP status, timeout, missing file): the work failed. Otherwise the
    /// source answered with something that is not a usable listing (a parse error, over the size limit): bad input.
    /// </summary>
    public bool SourceUnreachable { get; init; }
}
