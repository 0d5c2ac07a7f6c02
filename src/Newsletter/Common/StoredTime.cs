using System.Globalization;

namespace Newsletter.Common;

/// <summary>
/// How days and times are written to the database, the same for both providers: they are stored as text and
/// compared as text, so every writer must produce the same shape.
/// </summary>
public static class StoredTime
{
    /// <summary>A listing or digest day: <c>2026-03-11</c>.</summary>
    public static string Day(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>When something happened (created, updated), with its offset: <c>2026-03-11T08:00:00.0000000+00:00</c>.</summary>
    public static string Now(TimeProvider clock) => clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);

    /// <summary>
    /// A deadline compared in SQL (claims, retries, rate windows): always UTC with a fixed width and a <c>Z</c>, so
    /// that comparing the text compares the times.
    /// </summary>
    public static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
