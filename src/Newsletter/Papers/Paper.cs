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
    /// <summary>arXiv categories (primary first, e.g. <c>cs.CL</c>) as a source lists them; empty when it gives none (the HF daily list).</summary>
    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>The names of the configured sources that listed it (e.g. <c>hf</c>, <c>arxiv</c>); one paper however many listed it.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    public static Paper Of(string id, string title, string summary = "", int upvotes = 0) =>
        new(id, title, summary, upvotes, null, [], null);
}
