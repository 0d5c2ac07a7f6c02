namespace Newsletter.Subscribers;

/// <summary>
/// How a subscriber reads their digest (<c>subscribers.delivery</c>): by <see cref="Email"/> (the default), or only
/// in their private Atom feed (<see cref="Feed"/>). A feed-only subscriber's profile is matched every day like
/// everyone's and the digest recorded for the feed and the archive, but nothing is mailed.
/// </summary>
public static class DeliveryMode
{
    public const string Email = "email";
    public const string Feed = "feed";

    public static readonly IReadOnlyList<string> All = [Email, Feed];

    /// <summary>The mode as stored (trimmed, lower case); null or blank: email.</summary>
    /// <exception cref="SubscriptionException">Not one of the modes; the field is <c>delivery</c>.</exception>
    public static string Check(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Email;
        }
        var mode = value.Trim().ToLowerInvariant();
        return All.Contains(mode)
            ? mode
            : throw new SubscriptionException($"the delivery must be {Email} or {Feed} (was '{TypedText.Clean(value)}')", "delivery");
    }
}
