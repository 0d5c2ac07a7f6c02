using System.Data.Common;

namespace Newsletter.Subscribers;

/// <summary>
/// A later stage that keeps rows about a subscriber (Delivery's log of what was sent). Erasing a subscriber asks it to
/// forget what is personal in the same transaction, without this folder knowing its tables.
/// </summary>
public interface ISubscriberDataHolder
{
    /// <summary>Removes what is personal about the subscriber, keeping anonymous rows for the counts.</summary>
    /// <returns>How many rows were kept, anonymous.</returns>
    Task<int> ForgetAsync(DbConnection connection, DbTransaction transaction, string subscriberId, CancellationToken cancellationToken);
}
