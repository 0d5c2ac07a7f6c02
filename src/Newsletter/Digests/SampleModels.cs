namespace Newsletter.Digests;

/// <summary>Data that exercises every part of the templates: used to check them at start-up.</summary>
public static class SampleModels
{
    public static DigestModel Digest { get; } = new(
        "Newsletter",
        "https://example.org",
        new DateOnly(2026, 3, 11),
        "Ada",
        "ada@example.org",
        [
            new DigestPaper(1, "2403.00001", "A <sample> paper", "https://huggingface.co/papers/2403.00001", 12, "A. Author, B. Author",
                ["sample"], "An abstract about a sample.", "A &lt;<mark>sample</mark>&gt; paper", "An abstract about a <mark>sample</mark>."),
            // no votes and no authors: the templates' other branches run at start-up too
            new DigestPaper(2, "2403.00002", "Another paper", "https://huggingface.co/papers/2403.00002", 0, "",
                ["sample"], "Another abstract.", "Another paper", "Another abstract."),
        ],
        "https://example.org/preferences?token=t",
        "https://example.org/unsubscribe?token=t")
    {
        BrowserUrl = "https://example.org/digests/t",
        FeedUrl = "https://example.org/feeds/t.atom",
    };

    public static ConfirmationModel Confirmation { get; } = new(
        "Newsletter", "https://example.org", "ada@example.org", "Ada", ["sample", "\"large language model\" AND reasoning"],
        "https://example.org/confirm?token=t", 7);
}
