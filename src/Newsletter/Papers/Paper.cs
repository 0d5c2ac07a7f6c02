namespace Newsletter.Papers;

/// <summary>A paper as a listing presents it. <see cref="Id"/> is the arXiv id without version.</summary>
public sealed record Paper(
    string Id,
    string Title,
    string Summary,
    int Upvotes,
    DateTimeOffset? PublishedAt,
    IReadOnlyList<string> Authors,
    string? Organization)
{
    public static Paper Of(string id, string title, string summary = "", int upvotes = 0) =>
        new(id, title, summary, upvotes, null, [], null);
}
