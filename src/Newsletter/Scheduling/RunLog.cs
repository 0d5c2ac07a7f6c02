using System.Globalization;
using Dapper;
using Newsletter.Data;
using static Newsletter.Common.StoredTime;

namespace Newsletter.Scheduling;

/// <summary>
/// The run history: one row per digest run, opened when it starts and closed with its counts or its error, and
/// one row per phase written as the phase ends (so a run still going shows how far it got).
/// </summary>
public sealed class RunLog(Database database, Delivery.Outbox outbox, TimeProvider clock)
{
    /// <summary>How many of a run's failed digests `runs show` lists (the count is in <see cref="RunRecord.Failed"/>).</summary>
    public const int FailuresShown = 100;

    public async Task<string> StartAsync(string kind, DateOnly? date, CancellationToken cancellationToken)
    {
        var id = $"{clock.GetUtcNow():yyyyMMddHHmmss}-{Guid.NewGuid().ToString("N")[..8]}";
        await using var connection = await database.OpenAsync(cancellationToken);
        await MarkAbandonedAsync(connection);
        await connection.ExecuteAsync(
            "INSERT INTO runs (id, kind, digest_date, node, started_at, status, heartbeat_at) VALUES (@Id, @Kind, @Date, @Node, @Now, 'running', @Now)",
            new { Id = id, Kind = kind, Date = date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Node = Node, Now = Now(clock) });
        return id;
    }

    /// <summary>A running run's sign of life, with its counts so far.</summary>
    public async Task BeatAsync(string id, RunCounts counts, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            UPDATE runs SET heartbeat_at = @Now, papers = @Papers, planned = @Planned, sent = @Sent, failed = @Failed, suppressed = @Suppressed,
                            deferred = @Deferred, matches = @Matches, retried = @Retried
            WHERE id = @Id AND status = 'running'
            """,
            new { Id = id, Now = Now(clock), counts.Papers, counts.Planned, counts.Sent, counts.Failed, counts.Suppressed, counts.Deferred, counts.Matches, counts.Retried });
    }

    /// <summary>
    /// Runs whose process is gone are 'abandoned': their heartbeat stopped (any machine), or their process no longer
    /// runs (this machine, known at once). What they counted before they died stays.
    /// </summary>
    private async Task MarkAbandonedAsync(System.Data.Common.DbConnection connection)
    {
        var stale = (clock.GetUtcNow() - Silence).ToString("O", CultureInfo.InvariantCulture);
        var running = (await connection.QueryAsync<(string Id, string Node, string? HeartbeatAt)>(
            "SELECT id, node, heartbeat_at FROM runs WHERE status = 'running'")).ToList();
        foreach (var run in running.Where(r => string.CompareOrdinal(r.HeartbeatAt ?? "", stale) < 0 || !Alive(r.Node)))
        {
            await connection.ExecuteAsync(
                """
                UPDATE runs SET status = 'abandoned', finished_at = @Now,
                                error = 'its process stopped before the run finished (last sign of life: ' || COALESCE(heartbeat_at, started_at) || ')'
                WHERE id = @Id AND status = 'running'
                """,
                new { run.Id, Now = Now(clock) });
        }
    }

    /// <summary>A run silent this long is abandoned (it beats every <see cref="DailyRun.Heartbeat"/>).</summary>
    private static readonly TimeSpan Silence = DailyRun.Heartbeat * 6;

    /// <summary>False only when the node is this machine and its process is known to have ended.</summary>
    private static bool Alive(string node)
    {
        var slash = node.LastIndexOf('/');
        if (slash < 0 || node[..slash] != Environment.MachineName || !int.TryParse(node[(slash + 1)..], CultureInfo.InvariantCulture, out var pid))
        {
            return true;
        }
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public async Task RecordPhaseAsync(string runId, int position, RunPhase phase, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            INSERT INTO run_phases (run_id, phase, position, started_at, duration_ms, items, error)
            VALUES (@RunId, @Phase, @Position, @StartedAt, @DurationMs, @Items, @Error)
            """,
            new { RunId = runId, phase.Phase, Position = position, phase.StartedAt, phase.DurationMs, phase.Items, phase.Error });
    }

    /// <summary>How a run ended: failed when it stopped on an error; partial when it finished but some digests failed, were refused or wait for another attempt.</summary>
    public static string StatusOf(RunCounts counts, string? error) =>
        error is not null ? "failed" : counts.Failed + counts.Suppressed + counts.Deferred > 0 ? "partial" : "succeeded";

    public async Task FinishAsync(string id, RunCounts counts, TimeSpan duration, string? error, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            UPDATE runs SET finished_at = @Now, status = @Status, papers = @Papers, planned = @Planned, sent = @Sent,
                            failed = @Failed, suppressed = @Suppressed, deferred = @Deferred, matches = @Matches, retried = @Retried,
                            duration_ms = @DurationMs, error = @Error, heartbeat_at = @Now
            WHERE id = @Id
            """,
            new
            {
                Id = id, Now = Now(clock), Status = StatusOf(counts, error), counts.Papers, counts.Planned, counts.Sent, counts.Failed,
                counts.Suppressed, counts.Deferred, counts.Matches, counts.Retried, DurationMs = (long)duration.TotalMilliseconds, Error = error,
            });
    }

    public async Task<IReadOnlyList<RunRecord>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await MarkAbandonedAsync(connection);
        var runs = (await connection.QueryAsync<RunRecord>($"{SelectRuns} ORDER BY started_at DESC, id DESC LIMIT @Limit", new { Limit = limit })).ToList();
        return await WithPhasesAsync(connection, runs);
    }

    public async Task<RunRecord?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await MarkAbandonedAsync(connection);
        var runs = (await connection.QueryAsync<RunRecord>($"{SelectRuns} WHERE id = @Id", new { Id = id })).ToList();
        var run = (await WithPhasesAsync(connection, runs)).SingleOrDefault();
        return run is null ? null : run with { Failures = await outbox.FailedInRunAsync(id, FailuresShown, cancellationToken) };
    }

    private const string SelectRuns =
        """
        SELECT id AS Id, kind AS Kind, digest_date AS DigestDate, node AS Node, started_at AS StartedAt, finished_at AS FinishedAt,
               duration_ms AS DurationMs, status AS Status, papers AS Papers, planned AS Planned, matches AS Matches, sent AS Sent,
               failed AS Failed, suppressed AS Suppressed, deferred AS Deferred, retried AS Retried, error AS Error, heartbeat_at AS HeartbeatAt,
               (SELECT count(*) FROM deliveries d WHERE d.digest_date = runs.digest_date AND d.status = 'bounced') AS Bounced,
               (SELECT count(*) FROM deliveries d WHERE d.digest_date = runs.digest_date AND d.status = 'complained') AS Complained
        FROM runs
        """;

    private static async Task<IReadOnlyList<RunRecord>> WithPhasesAsync(System.Data.Common.DbConnection connection, List<RunRecord> runs)
    {
        if (runs.Count == 0)
        {
            return runs;
        }
        // the runs' ids as explicit parameters: list expansion differs between the providers
        var parameters = new DynamicParameters();
        var names = new List<string>();
        for (var i = 0; i < runs.Count; i++)
        {
            parameters.Add($"r{i}", runs[i].Id);
            names.Add($"@r{i}");
        }
        var phases = (await connection.QueryAsync<PhaseRow>(
            $"""
            SELECT run_id AS RunId, phase AS Phase, started_at AS StartedAt, duration_ms AS DurationMs, items AS Items, error AS Error
            FROM run_phases WHERE run_id IN ({string.Join(", ", names)}) ORDER BY run_id, position
            """, parameters)).ToLookup(p => p.RunId);
        return [.. runs.Select(r => r with { Phases = [.. phases[r.Id].Select(p => new RunPhase(p.Phase, p.StartedAt, p.DurationMs, p.Items, p.Error))] })];
    }

    private static string Node => $"{Environment.MachineName}/{Environment.ProcessId}";

    private sealed class PhaseRow
    {
        public string RunId { get; init; } = "";
        public string Phase { get; init; } = "";
        public string StartedAt { get; init; } = "";
        public long DurationMs { get; init; }
        public long Items { get; init; }
        public string? Error { get; init; }
    }
}

/// <param name="Deferred">Digests that met a temporary fault and wait for their next attempt.</param>
public sealed record RunCounts(int Papers, int Planned, int Sent, int Failed, int Suppressed, int Matches = 0, int Retried = 0, int Deferred = 0);

/// <summary>A phase of a run: ingest (items: papers fetched), match (digests planned), render (digests built; the time is summed per digest, inside send), send (digests the server accepted).</summary>
public sealed record RunPhase(string Phase, string StartedAt, long DurationMs, long Items, string? Error);

public sealed record RunRecord
{
    public string Id { get; init; } = "";
    public string Kind { get; init; } = "";
    public string? DigestDate { get; init; }
    public string Node { get; init; } = "";
    public string StartedAt { get; init; } = "";
    public string? FinishedAt { get; init; }
    public long? DurationMs { get; init; }
    public string Status { get; init; } = "";
    public long Papers { get; init; }
    public long Planned { get; init; }
    public long Matches { get; init; }
    public long Sent { get; init; }
    public long Failed { get; init; }
    public long Suppressed { get; init; }
    public long Deferred { get; init; }
    public long Retried { get; init; }

    /// <summary>
    /// Digests of the run's listing day that were sent and later came back, bounced or reported as spam (known only
    /// once the bounces arrive, so counted from the deliveries, not by the run; every run of that day shows the same).
    /// </summary>
    public long Bounced { get; init; }

    public long Complained { get; init; }
    public string? Error { get; init; }

    /// <summary>The run's last sign of life (it writes one every few seconds while it runs).</summary>
    public string? HeartbeatAt { get; init; }
    public IReadOnlyList<RunPhase> Phases { get; init; } = [];

    /// <summary>The digests this run gave up on, with why (the first <see cref="RunLog.FailuresShown"/>; one run read alone only).</summary>
    public IReadOnlyList<Delivery.FailedDelivery> Failures { get; init; } = [];
}
