using System.Net.Sockets;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Newsletter.Admin;
using Newsletter.Common;
using Newsletter.Data;
using Newsletter.Delivery;
using Newsletter.Papers;
using Quartz;

namespace Newsletter.Operations;

/// <summary>
/// GET /healthz for load balancers and monitors: the database answers, the scheduler runs, the mail server (or
/// pickup folder) is reachable. 200 when all is well or only mail is degraded (digests wait in the outbox), 503 when
/// the database or scheduler is down. Anyone gets the status; each check's details (they name the relay and quote
/// errors) only a caller with an admin API key. No personal data, no credentials, in either.
/// </summary>
public static class HealthChecks
{
    /// <summary>Every check registered here is reported by /healthz, under its name.</summary>
    public static IServiceCollection AddNewsletterHealthChecks(this IServiceCollection services)
    {
        services.AddSingleton<MailCheck>(); // one instance, so its cached relay probe is shared by all requests
        services.AddHealthChecks()
            .AddCheck<DatabaseCheck>("database")
            .AddCheck<SchedulerCheck>("scheduler")
            .AddCheck<MailCheck>("smtp", failureStatus: HealthStatus.Degraded)
            .AddCheck<DeliveriesCheck>("deliveries", failureStatus: HealthStatus.Degraded)
            .AddCheck<SourcesCheck>("sources", failureStatus: HealthStatus.Degraded);
        return services;
    }

    public static IEndpointRouteBuilder MapNewsletterHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { ResponseWriter = WriteAsync });
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var admin = context.RequestServices.GetRequiredService<ApiKeyFilter>().ActorOf(context.Request) is not null;
        object answer = admin
            ? new
            {
                status = Name(report.Status),
                checks = report.Entries.ToDictionary(e => e.Key, e => new
                {
                    status = Name(e.Value.Status),
                    detail = e.Value.Description,
                    ms = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                }),
            }
            : new { status = Name(report.Status) };
        return JsonSerializer.SerializeAsync(context.Response.Body, answer, cancellationToken: context.RequestAborted);
    }

    private static string Name(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };

    private sealed class DatabaseCheck(Database database) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var connection = await database.OpenAsync(cancellationToken);
                var migrations = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM schema_migrations");
                return HealthCheckResult.Healthy($"{migrations} migrations applied");
            }
            catch (Exception e)
            {
                return HealthCheckResult.Unhealthy($"the database does not answer: {e.Message}");
            }
        }
    }

    /// <summary>
    /// Degraded while digests of the last day failed (could not be composed, were refused for their content, or outlasted
    /// every retry) and no resend has delivered them since: one bad digest never stops a day, but it must not go unseen.
    /// </summary>
    private sealed class DeliveriesCheck(Outbox outbox, TimeProvider clock) : IHealthCheck
    {
        private static readonly TimeSpan Window = TimeSpan.FromHours(24);

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var (count, latest) = await outbox.UnresolvedFailuresAsync(clock.GetUtcNow() - Window, cancellationToken);
            return count == 0
                ? HealthCheckResult.Healthy("no failed digests in the last 24 hours")
                : HealthCheckResult.Degraded(
                    $"{count} {(count == 1 ? "digest" : "digests")} failed in the last 24 hours and were not delivered since (latest: {latest}); " +
                    "`runs show` lists them, `digest resend --date D --all --delivery-status failed` sends them once the cause is fixed");
        }
    }

    /// <summary>
    /// Degraded while a source of Sources:Feeds failed in the last 7 days for a listing day it was not fetched for
    /// since: the days went on with the other sources, so nothing else shows it.
    /// </summary>
    private sealed class SourcesCheck(PaperStore papers, TimeProvider clock) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var failures = await papers.SourceFailuresSinceAsync(clock.GetUtcNow().AddDays(-7), cancellationToken);
            return failures.Count == 0
                ? HealthCheckResult.Healthy("no source failed in the last 7 days")
                : HealthCheckResult.Degraded(
                    $"{failures.Count} source {(failures.Count == 1 ? "fetch" : "fetches")} failed in the last 7 days: " +
                    string.Join("; ", failures.Take(5).Select(f => $"{f.Day} {f.Source}: {f.Error}")) +
                    "; `ingest --date D --source NAME` fetches one again");
        }
    }

    private sealed class SchedulerCheck(IServiceProvider services) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (services.GetService<ISchedulerFactory>() is not { } factory)
            {
                return HealthCheckResult.Healthy("disabled (Schedule:Enabled=false)");
            }
            var scheduler = await factory.GetScheduler(cancellationToken);
            var status = await scheduler.GetStatus(cancellationToken);
            return status == SchedulerStatus.Running
                ? HealthCheckResult.Healthy("running")
                : HealthCheckResult.Unhealthy($"not running ({status.ToString().ToLowerInvariant()})");
        }
    }

    /// <summary>
    /// The relay is probed with a TCP connect at most once a minute, however often /healthz is called (and by how
    /// many at once): every call in that minute gets the same answer. The relay is someone's mail server, and a
    /// monitor polling every second, or anyone at all, must not turn into a connection flood on it.
    /// </summary>
    private sealed class MailCheck(IOptions<SmtpOptions> smtp, NewsletterHome home, TimeProvider clock) : IHealthCheck
    {
        private static readonly TimeSpan RelayProbeLasts = TimeSpan.FromMinutes(1);
        private readonly Lock _gate = new();
        private Task<HealthCheckResult>? _relayProbe;
        private DateTimeOffset _relayProbedAt;

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var o = smtp.Value;
            if (string.IsNullOrWhiteSpace(o.Host))
            {
                var folder = home.Resolve(o.PickupFolder);
                try
                {
                    PrivateFiles.CreateFolder(folder);
                    return HealthCheckResult.Healthy("pickup folder (no SMTP host configured)");
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return HealthCheckResult.Degraded($"the pickup folder cannot be created: {e.Message}");
                }
            }
            Task<HealthCheckResult> probe;
            lock (_gate)
            {
                var now = clock.GetUtcNow();
                if (_relayProbe is null || now - _relayProbedAt >= RelayProbeLasts)
                {
                    _relayProbe = ProbeAsync(o.Host, o.Port); // not this request's token: other requests wait for it too
                    _relayProbedAt = now;
                }
                probe = _relayProbe;
            }
            return await probe.WaitAsync(cancellationToken);
        }

        private static async Task<HealthCheckResult> ProbeAsync(string host, int port)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(host, port, timeout.Token);
                return HealthCheckResult.Healthy($"{host}:{port} accepts connections");
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                return HealthCheckResult.Degraded($"{host}:{port} is not reachable ({(e is OperationCanceledException ? "no answer in 3 s" : e.Message)}); digests wait in the outbox");
            }
        }
    }
}
