using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Newsletter.Common;
using Newsletter.Data;
using Newsletter.Subscribers;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Subscribers;

/// <summary>
/// A scheduled wake-up reads who receives digests as the rows come, with only what decides when their digest is due
/// (a million whole subscribers held at once took about a gigabyte); these pin who is read, in what order, and with what.
/// </summary>
public sealed class ReceivingScheduleTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task The_schedule_reads_active_unpaused_subscribers_in_the_order_they_joined_with_what_decides_their_digest()
    {
        await using var database = new Database(Options.Create(new DatabaseOptions { ConnectionString = $"Data Source={_dir.File("schedule.db")}" }),
            new NewsletterHome(_dir.Path, ""));
        await new Migrator(database, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO subscribers (id, email, status, secret, created_at, updated_at, confirmed_at, paused_at, send_hour, time_zone,
                                         frequency, weekday, delivery, last_planned_day)
                VALUES ('late', 'late@example.org', 'active', 's', '2026-03-05T00:00:00Z', '2026-03-05T00:00:00Z', '2026-03-05T01:00:00Z', NULL, 18,
                        'Asia/Tokyo', 'weekly', 'friday', 'feed', '2026-03-10'),
                       ('early', 'early@example.org', 'active', 's', '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z', NULL, NULL, 7,
                        'Europe/Berlin', 'weekdays', 'monday', 'email', NULL),
                       ('paused', 'paused@example.org', 'active', 's', '2026-03-02T00:00:00Z', '2026-03-02T00:00:00Z', NULL, '2026-03-03T00:00:00Z', 8,
                        'UTC', 'daily', 'monday', 'email', NULL),
                       ('pending', 'pending@example.org', 'pending', 's', '2026-03-02T00:00:00Z', '2026-03-02T00:00:00Z', NULL, NULL, 8,
                        'UTC', 'daily', 'monday', 'email', NULL),
                       ('gone', 'gone@example.org', 'unsubscribed', 's', '2026-03-02T00:00:00Z', '2026-03-02T00:00:00Z', NULL, NULL, 8,
                        'UTC', 'daily', 'monday', 'email', NULL)
                """);
        }

        var read = new List<ScheduledSubscriber>();
        await foreach (var subscriber in new SubscriberStore(database, TimeProvider.System).ReceivingScheduleAsync(CancellationToken.None))
        {
            read.Add(subscriber);
        }

        Assert.Equal(["early", "late"], read.Select(s => s.Id));
        var late = read[1];
        Assert.Equal((18L, "Asia/Tokyo", "weekly", "friday", "feed"), (late.SendHour, late.TimeZone, late.Frequency, late.Weekday, late.Delivery));
        Assert.Equal(("2026-03-05T00:00:00Z", "2026-03-05T01:00:00Z", "2026-03-10"), (late.CreatedAt, late.ConfirmedAt, late.LastPlannedDay));
        var early = read[0];
        Assert.Equal((7L, "Europe/Berlin", "weekdays", "email"), (early.SendHour, early.TimeZone, early.Frequency, early.Delivery));
        Assert.Null(early.ConfirmedAt);
        Assert.Null(early.LastPlannedDay);
    }
}
