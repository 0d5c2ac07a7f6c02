using Newsletter.Matching;
using Newsletter.Papers;

namespace Newsletter.Digests;

/// <summary>A paper chosen for one subscriber, with why: the keywords it matched and where, to highlight.</summary>
public sealed record SelectedPaper(
    Paper Paper,
    double Score,
    IReadOnlyList<string> Matched,
    IReadOnlyList<TextSpan> TitleSpans,
    IReadOnlyList<TextSpan> SummarySpans);

/// <summary>Who a digest goes to.</summary>
public sealed record DigestRecipient(string SubscriberId, string Email, string? Name, string Secret);
