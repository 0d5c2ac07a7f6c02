using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newsletter.Data;
using static Newsletter.Common.StoredTime;

namespace Newsletter.Delivery;

/// <summary>
/// The processes sending right now, as rows of <c>senders</c> with a short lease each renews while it sends. From
/// them a process learns its share of the rates (<c>Smtp:MaxPerSecond</c> is shared by every sending process of
/// the machine, <c>Smtp:ClusterMaxPerSecond</c> by every sending process of the cluster) and which claims belong to
/// a sender known to be gone: on this machine, one whose process is not running any more. Its claims are free at once
/// instead of after the claim lease; a sender on another machine that stops renewing keeps its claims until their
/// own lease lapses (it may only be slow).
/// </summary>
public sealed partial class SenderRegistry(Database database, SendPacer pacer, IOptions<SmtpOptions> smtp, TimeProvider clock, ILogger<SenderRegistry> logger)
    : IAsyncDisposable
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Alive = TimeSpan.FromSeconds(15);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _sending;
    private CancellationTokenSource? _beating;
    private Task _heart = Task.CompletedTask;

    /// <summary>This process: machine, process id and start time (a process id used again later is another process).</summary>
    public static string ProcessId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}.{Process.GetCurrentProcess().StartTime.ToUniversalTime().Ticks}";

    /// <summary>A name for one sender's claims: this process's id and a random part.</summary>
    public static string NewClaimer() => $"{ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Registers this process as sending until the returned handle is disposed (nested uses share one row).</summary>
    public async Task<IAsyncDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_sending++ == 0)
            {
                await BeatAsync(cancellationToken);
                _beating = new CancellationTokenSource();
                _heart = KeepBeatingAsync(_beating.Token);
            }
        }
        catch
        {
            _sending--;
            throw;
        }
        finally
        {
            _gate.Release();
        }
        return new Handle(this);
    }

    /// <summary>
    /// Frees the claims of senders known to be gone: they ran on this machine in a process that has ended (or they left
    /// no row). Called by a sender that waits for claims held by others.
    /// </summary>
    public async Task<int> ReleaseDeadClaimsAsync(CancellationToken cancellationToken)
    {
        var now = Stamp(clock.GetUtcNow());
        await using var connection = await database.OpenAsync(cancellationToken);
        var local = (await connection.QueryAsync<string>("SELECT id FROM senders WHERE node = @Node", new { Node = Environment.MachineName })).ToList();
        foreach (var gone in local.Where(id => !Running(id)))
        {
            await connection.ExecuteAsync("DELETE FROM senders WHERE id = @Id", new { Id = gone });
        }
        // a row long expired is a node that died without anyone on its machine to tell; its claims have lapsed by now
        await connection.ExecuteAsync("DELETE FROM senders WHERE alive_until < @LongAgo", new { LongAgo = Stamp(clock.GetUtcNow() - TimeSpan.FromHours(1)) });
        // only claims whose sender has no row at all: one whose lease merely ran late (a stalled node) keeps its claims
        // until their own lease lapses, so that it is never sent twice
        var released = await connection.ExecuteAsync(
            """
            UPDATE deliveries SET claimed_until = NULL
            WHERE status IN ('pending', 'deferred', 'uncertain') AND claimed_until >= @Now AND claimed_by IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM senders s WHERE substr(deliveries.claimed_by, 1, length(s.id) + 1) = s.id || '/')
            """,
            new { Now = now });
        if (released > 0)
        {
            LogReleased(released);
        }
        return released;
    }

    private async Task KeepBeatingAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Heartbeat);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    await BeatAsync(stop);
                }
                catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException)
                {
                    LogBeatFailed(e.Message); // the lease lasts five beats; the claims' own lease is the last guard
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Renews this process's lease and sets its share of the rates from the senders alive now.</summary>
    private async Task BeatAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            INSERT INTO senders (id, node, alive_until) VALUES (@Id, @Node, @Until)
            ON CONFLICT (id) DO UPDATE SET alive_until = excluded.alive_until
            """,
            new { Id = ProcessId, Node = Environment.MachineName, Until = Stamp(now + Alive) });
        var (machine, cluster) = await connection.QuerySingleAsync<(long Machine, long Cluster)>(
            "SELECT count(CASE WHEN node = @Node THEN 1 END), count(*) FROM senders WHERE alive_until >= @Now",
            new { Node = Environment.MachineName, Now = Stamp(now) });
        var o = smtp.Value;
        var rate = Share(o.MaxPerSecond, machine);
        if (o.ClusterMaxPerSecond > 0)
        {
            var clusterShare = Share(o.ClusterMaxPerSecond, cluster);
            rate = rate == 0 ? clusterShare : Math.Min(rate, clusterShare);
        }
        pacer.SetRate(rate);
    }

    private static double Share(double perSecond, long senders) => perSecond / Math.Max(1, senders);

    private async Task LeaveAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (--_sending > 0)
            {
                return;
            }
            if (_beating is not null)
            {
                await _beating.CancelAsync();
                await _heart;
                _beating.Dispose();
                _beating = null;
            }
            try
            {
                await using var connection = await database.OpenAsync(CancellationToken.None);
                await connection.ExecuteAsync("DELETE FROM senders WHERE id = @Id", new { Id = ProcessId });
            }
            catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException)
            {
                LogBeatFailed(e.Message); // the row's lease runs out by itself
            }
            pacer.SetRate(smtp.Value.MaxPerSecond);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Whether the process of a sender id on this machine still runs (the same process, not a later one with its id).</summary>
    private static bool Running(string senderId)
    {
        var process = senderId[(senderId.IndexOf('/') + 1)..].Split('.');
        if (process.Length != 2 || !int.TryParse(process[0], CultureInfo.InvariantCulture, out var pid) || !long.TryParse(process[1], CultureInfo.InvariantCulture, out var started))
        {
            return true; // not ours to judge
        }
        try
        {
            // each process works out start times from its own reading of the boot time: they differ by milliseconds
            using var running = Process.GetProcessById(pid);
            return Math.Abs(running.StartTime.ToUniversalTime().Ticks - started) < TimeSpan.TicksPerSecond * 2;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_beating is not null)
        {
            await _beating.CancelAsync();
            await _heart;
            _beating.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Took over {Count} owed digests claimed by a sender that is gone")]
    private partial void LogReleased(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew this sender's lease: {Problem}")]
    private partial void LogBeatFailed(string problem);

    private sealed class Handle(SenderRegistry registry) : IAsyncDisposable
    {
        private int _disposed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                await registry.LeaveAsync();
            }
        }
    }
}
