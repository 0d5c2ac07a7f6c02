using System.Globalization;
using Dapper;
using Newsletter.Data;

namespace Newsletter.Scheduling;

/// <summary>The runs table: one row per digest run, opened when it starts and closed with its counts or its error.</summary>
public sealed class RunLog(Database database, TimeProvider clock)
{
    public async Task<string> StartAsync(string kind, DateOnly? date, CancellationToken cancellationToken)
    {
        var id = $"{clock.GetUtcNow():yyyyMMddHHmmss}-{Guid.NewGuid().ToString("N")[..8]}";
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "INSERT INTO runs (id, kind, digest_date, node, started_at, status) VALUES (@Id, @Kind, @Date, @Node, @Now, 'running')",
            new { Id = id, Kind = kind, Date = date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Node = Node, Now = Now() });
        return id;
    }

    public async Task FinishAsync(string id, RunCounts counts, string? error, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            UPDATE runs SET finished_at = @Now, status = @Status, papers = @Papers, planned = @Planned, sent = @Sent,
                            failed = @Failed, suppressed = @Suppressed, error = @Error
            WHERE id = @Id
            """,
            new { Id = id, Now = Now(), Status = error is null ? "succeeded" : "failed", counts.Papers, counts.Planned, counts.Sent, counts.Failed, counts.Suppressed, Error = error });
    }

    public async Task<IReadOnlyList<RunRecord>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<RunRecord>(
            """
            SELECT id AS Id, kind AS Kind, digest_date AS DigestDate, node AS Node, started_at AS StartedAt, finished_at AS FinishedAt,
                   status AS Status, papers AS Papers, planned AS Planned, sent AS Sent, failed AS Failed, suppressed AS Suppressed, error AS Error
            FROM runs ORDER BY started_at DESC LIMIT @Limit
            """, new { Limit = limit })];
    }

    private static string Node => $"{Environment.MachineName}/{Environment.ProcessId}";

    private string Now() => clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
}

public sealed record RunCounts(int Papers, int Planned, int Sent, int Failed, int Suppressed);

public sealed class RunRecord
{
    public string Id { get; init; } = "";
    public string Kind { get; init; } = "";
    public string? DigestDate { get; init; }
    public string Node { get; init; } = "";
    public string StartedAt { get; init; } = "";
    public string? FinishedAt { get; init; }
    public string Status { get; init; } = "";
    public long Papers { get; init; }
    public long Planned { get; init; }
    public long Sent { get; init; }
    public long Failed { get; init; }
    public long Suppressed { get; init; }
    public string? Error { get; init; }
}
