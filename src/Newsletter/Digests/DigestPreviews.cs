using Newsletter.Papers;
using Newsletter.Subscribers;

namespace Newsletter.Digests;

/// <summary>
/// What one subscriber's digest for a day holds, rendered as it would be sent; writes and sends nothing. The
/// command line (<c>digest preview</c>) and the admin API both come here.
/// </summary>
public sealed class DigestPreviews(PaperStore papers, DigestPlanner planner, DigestComposer composer)
{
    public async Task<PreviewedDigest> PreviewAsync(Subscriber subscriber, DateOnly date, CancellationToken cancellationToken)
    {
        var dayPapers = await papers.PapersOnAsync(date, cancellationToken);
        var selected = dayPapers.Count == 0 ? [] : await planner.PreviewAsync(subscriber.Id, date, dayPapers, cancellationToken);
        return new PreviewedDigest(new DigestRecipient(subscriber.Id, subscriber.Email, subscriber.Name, subscriber.Secret), date, dayPapers.Count, selected);
    }

    /// <param name="format">html, text or eml (the whole message).</param>
    public string Render(PreviewedDigest preview, string format)
    {
        if (format == "eml")
        {
            return composer.Compose(preview.Recipient, preview.Date, preview.Papers).ToString();
        }
        var (html, text) = composer.Render(composer.Model(preview.Recipient, preview.Date, preview.Papers));
        return format == "text" ? text : html;
    }
}

/// <param name="PapersOfTheDay">How many papers are stored for the day (the digest picks from these).</param>
public sealed record PreviewedDigest(DigestRecipient Recipient, DateOnly Date, int PapersOfTheDay, IReadOnlyList<SelectedPaper> Papers)
{
    /// <summary>Why there is no digest to show, or null when there is one.</summary>
    public string? WhyNone => Papers.Count > 0
        ? null
        : PapersOfTheDay == 0
            ? $"No papers are stored for {Date:yyyy-MM-dd}; ingest that day first."
            : $"None of the {PapersOfTheDay} papers of {Date:yyyy-MM-dd} match {Recipient.Email}'s keywords: no digest would be sent.";
}
