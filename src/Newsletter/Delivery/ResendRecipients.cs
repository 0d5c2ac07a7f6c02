using Newsletter.Subscribers;

namespace Newsletter.Delivery;

/// <summary>Who a resend to many goes to, chosen the same way for <c>digest resend --all</c> and the admin API's filter.</summary>
public sealed class ResendRecipients(SubscriberStore subscribers, Outbox outbox)
{
    private const int PageSize = 500;

    public static readonly IReadOnlyList<string> DeliveryStatuses =
        [DeliveryStatus.Pending, DeliveryStatus.Deferred, DeliveryStatus.Uncertain, DeliveryStatus.Sent, DeliveryStatus.Failed];

    /// <param name="status">Subscriber status; null: active.</param>
    /// <param name="search">Part of an email or keyword; null: everyone.</param>
    /// <param name="deliveryStatus">
    /// Only those whose original digest of the day has this status; null: every subscriber chosen (one who had no
    /// digest that day is then reported as skipped, with why, by the resender).
    /// </param>
    public async Task<IReadOnlyList<Subscriber>> ChooseAsync(string? status, string? search, string? deliveryStatus, DateOnly date, CancellationToken cancellationToken)
    {
        var chosen = new List<Subscriber>();
        for (var page = 1; ; page++)
        {
            var (items, total) = await subscribers.PageAsync(status ?? SubscriberStatus.Active, search, page, PageSize, cancellationToken);
            var originals = deliveryStatus is null ? null : await outbox.OriginalStatusesAsync([.. items.Select(s => s.Id)], date, cancellationToken);
            chosen.AddRange(items.Where(s => originals is null || originals.GetValueOrDefault(s.Id) == deliveryStatus));
            if (items.Count == 0 || page * PageSize >= total)
            {
                return chosen;
            }
        }
    }
}
