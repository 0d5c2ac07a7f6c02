using System.Globalization;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http;
using Newsletter.Data;

namespace Newsletter.Admin;

/// <summary>Who did what through the admin API. Targets are opaque ids and details carry no addresses, so erasure leaves nothing here.</summary>
public sealed class AuditLog(Database database, TimeProvider clock)
{
    public async Task WriteAsync(HttpContext context, string action, string? target, object? details, CancellationToken cancellationToken)
    {
        var actor = context.Items[ApiKeyFilter.ActorItem] as string ?? "unknown";
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "INSERT INTO audit_log (at, actor, action, target, details) VALUES (@At, @Actor, @Action, @Target, @Details)",
            new
            {
                At = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
                Actor = actor,
                Action = action,
                Target = target,
                Details = details is null ? null : JsonSerializer.Serialize(details, AdminJson.Options),
            });
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<AuditRow>(
            "SELECT id AS Id, at AS At, actor AS Actor, action AS Action, target AS Target, details AS Details FROM audit_log ORDER BY id DESC LIMIT @Limit",
            new { Limit = limit });
        return [.. rows.Select(r => new AuditEntry(r.Id, r.At, r.Actor, r.Action, r.Target,
            r.Details is null ? null : JsonSerializer.Deserialize<JsonElement>(r.Details)))];
    }

    private sealed class AuditRow
    {
        public long Id { get; init; }
        public string At { get; init; } = "";
        public string Actor { get; init; } = "";
        public string Action { get; init; } = "";
        public string? Target { get; init; }
        public string? Details { get; init; }
    }
}

public sealed record AuditEntry(long Id, string At, string Actor, string Action, string? Target, JsonElement? Details);
