namespace Newsletter.Sources;

/// <summary>A listing could not be fetched or read; the message names the source and the cause.</summary>
public sealed class ListingException(string message, Exception? inner = null) : Exception(message, inner);
