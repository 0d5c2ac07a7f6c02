namespace Newsletter.Matching;

/// <summary>A keyword or exclusion cannot be used; the message says which, what is wrong and where.</summary>
public sealed class ProfileValidationException(string message, string kind, int index, int? column, string keyword, string reason)
    : Exception(message)
{
    /// <summary>"keyword" or "exclusion".</summary>
    public string Kind { get; } = kind;

    /// <summary>1-based position in the list the subscriber gave.</summary>
    public int Index { get; } = index;

    /// <summary>1-based column in the keyword, when the problem has a place.</summary>
    public int? Column { get; } = column;

    public string Keyword { get; } = keyword;

    public string Reason { get; } = reason;
}
