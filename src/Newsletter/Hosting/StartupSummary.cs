using System.Globalization;
using Microsoft.Extensions.Options;
using Newsletter.Admin;
using Newsletter.Common;
using Newsletter.Data;
using Newsletter.Delivery;
using Newsletter.Scheduling;
using Newsletter.Subscribers;
using Quartz;

namespace Newsletter.Hosting;

/// <summary>
/// What <c>serve</c> says once it runs, as one block: where it answers, where emailed links go, the database, how
/// mail leaves, when the scheduler sends next and whether the admin API is open. It replaces the framework's
/// start-up lines (turned down to warnings), so what a newcomer needs is on one screen.
/// </summary>
public sealed record StartupSummary(IReadOnlyList<string> Addresses, string LinkBase, string Database, string Mail, string Schedule, string AdminApi)
{
    public static async Task<StartupSummary> ReadAsync(IServiceProvider services, IReadOnlyList<string> addresses, CancellationToken cancellationToken)
    {
        var smtp = services.GetRequiredService<IOptions<SmtpOptions>>().Value;
        var home = services.GetRequiredService<NewsletterHome>();
        var database = services.GetRequiredService<Database>();
        var keys = services.GetRequiredService<IOptions<AdminOptions>>().Value.ApiKeys.Count;
        return new StartupSummary(
            addresses,
            services.GetRequiredService<IOptions<SiteOptions>>().Value.BaseUrl,
            database.FilePath is not null ? $"SQLite {database.Description}" : database.Description, // the description never holds the password
            string.IsNullOrWhiteSpace(smtp.Host)
                ? $"no SMTP server (Smtp:Host is empty): .eml files in {home.Resolve(smtp.PickupFolder)}"
                : $"SMTP {smtp.Host}:{smtp.Port.ToString(CultureInfo.InvariantCulture)}, from {smtp.From}",
            await ScheduleAsync(services, cancellationToken),
            keys == 0 ? "off (Admin:ApiKeys is empty)" : $"on ({keys} key{(keys == 1 ? "" : "s")})");
    }

    public IEnumerable<string> Lines()
    {
        yield return "Newsletter is running. Press Ctrl+C to stop.";
        yield return $"  listening on   {(Addresses.Count == 0 ? "(no address)" : string.Join(", ", Addresses))}";
        yield return $"  email links    {LinkBase}/…";
        yield return $"  database       {Database}";
        yield return $"  mail           {Mail}";
        yield return $"  schedule       {Schedule}";
        yield return $"  admin API      {AdminApi}";
    }

    private static async Task<string> ScheduleAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var schedule = services.GetRequiredService<IOptions<ScheduleOptions>>().Value;
        if (!schedule.Enabled || services.GetService<ISchedulerFactory>() is not { } factory)
        {
            return "scheduler off (Schedule:Enabled is false): digests go out only by `digest run`";
        }
        var scheduler = await factory.GetScheduler(cancellationToken);
        var next = (await scheduler.GetTrigger(DigestJob.TriggerKey, cancellationToken))?.NextFireTimeUtc;
        if (next is not { } utc)
        {
            return $"scheduler on, no further run for cron '{schedule.Cron}'";
        }
        var defaultZone = services.GetRequiredService<IOptions<SendTimeDefaults>>().Value.DefaultTimeZone;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(defaultZone);
        var local = TimeZoneInfo.ConvertTime(utc, zone);
        var inZone = TimeZoneInfo.Utc.HasSameRules(zone)
            ? "UTC is also Schedule:DefaultTimeZone"
            : $"{local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} in {defaultZone}";
        return $"next run {utc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC ({inZone}), then on cron '{schedule.Cron}'";
    }
}
