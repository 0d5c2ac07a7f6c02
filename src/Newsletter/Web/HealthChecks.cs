using System.Net.Sockets;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Newsletter.Data;
using Newsletter.Delivery;
using Newsletter.Hosting;
using Quartz;

namespace Newsletter.Web;

/// <summary>
/// GET /healthz for load balancers and monitors: the database answers, the scheduler runs, the mail server (or
/// pickup folder) is reachable. 200 when all is well or only mail is degraded (digests wait in the outbox), 503 when
/// the database or scheduler is down. No personal data, no credentials, in the answer.
/// </summary>
public static class HealthChecks
{
    public static IServiceCollection AddNewsletterHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseCheck>("database")
            .AddCheck<SchedulerCheck>("scheduler")
            .AddCheck<MailCheck>("smtp", failureStatus: HealthStatus.Degraded);
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
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = Name(report.Status),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = Name(e.Value.Status),
                detail = e.Value.Description,
                ms = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
            }),
        }, cancellationToken: context.RequestAborted);
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

    private sealed class MailCheck(IOptions<SmtpOptions> smtp, NewsletterHome home) : IHealthCheck
    {
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
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(o.Host, o.Port, timeout.Token);
                return HealthCheckResult.Healthy($"{o.Host}:{o.Port} accepts connections");
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                return HealthCheckResult.Degraded($"{o.Host}:{o.Port} is not reachable ({(e is OperationCanceledException ? "no answer in 3 s" : e.Message)}); digests wait in the outbox");
            }
        }
    }
}
