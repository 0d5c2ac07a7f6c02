using System.Diagnostics;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Newsletter.Common;
using Newsletter.Hosting;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Scheduling;

/// <summary>Quartz with its store in the application's SQLite file: a fire missed while the service was down runs once, never twice.</summary>
public sealed class ScheduleTests : IDisposable
{
    private readonly TempDirectory _outbox = new();
    private readonly TestApp _app;

    public ScheduleTests()
    {
        _app = new TestApp(
            $"--Smtp:PickupFolder={_outbox.Path}",
            "--Sources:MaxRetries=0",
            $"--Sources:DailyUrl=http://127.0.0.1:{Ports.Free()}/api/daily_papers?date={{date}}",
            "--Schedule:Cron=0 0 * * * ?",
            "--Schedule:ListingLagDays=1");
    }

    public void Dispose()
    {
        _app.Dispose();
        _outbox.Dispose();
    }

    private string[] Settings => _app.Settings;

    private async Task<WebApplication> StartAsync()
    {
        var app = WebHost.Build(ConfigSwitches.Extract(Settings), ["http://127.0.0.1:0"]);
        await app.Services.PrepareAsync(migrate: true, CancellationToken.None);
        await app.StartAsync();
        return app;
    }

    private async Task<long> ScheduledRunsAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={_app.DatabasePath};Pooling=False");
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM runs WHERE kind = 'scheduled'");
    }

    [Fact]
    public async Task A_fire_missed_while_the_service_was_down_runs_once_at_start_up_and_never_twice()
    {
        var yesterday = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1).ToString("yyyy-MM-dd");
        await _app.RunAsync("ingest", "--from", Corpus.ApiDay("2026-03-11"), "--date", yesterday);
        var added = await RunAsync("subscribers", "add", "--email", "ada@example.org", "--keyword", "reinforcement learning", "--confirmed", "--send-hour", "0");
        Assert.True(added.ExitCode == 0, added.ToString());

        // first start stores the job and its trigger; the next fire is at the next full hour
        await using (var first = await StartAsync())
        {
            await first.StopAsync();
        }
        Assert.Equal(0, await ScheduledRunsAsync());

        // the service was down across three fire times
        await using (var connection = new SqliteConnection($"Data Source={_app.DatabasePath};Pooling=False"))
        {
            var threeHoursAgo = DateTimeOffset.UtcNow.AddHours(-3).UtcTicks;
            Assert.Equal(1, await connection.ExecuteAsync("UPDATE QRTZ_TRIGGERS SET NEXT_FIRE_TIME = @At", new { At = threeHoursAgo }));
        }

        await using (var second = await StartAsync())
        {
            var clock = Stopwatch.StartNew();
            while (await ScheduledRunsAsync() == 0 && clock.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(200);
            }
            await Task.Delay(2000);
            await second.StopAsync();
        }
        Assert.Equal(1, await ScheduledRunsAsync());
        await using (var connection = new SqliteConnection($"Data Source={_app.DatabasePath};Pooling=False"))
        {
            Assert.Equal((1L, "succeeded"), await connection.QuerySingleAsync<(long, string)>("SELECT sent, status || COALESCE(error, '') FROM runs WHERE kind = 'scheduled'"));
        }
        Assert.Single(Directory.GetFiles(_outbox.Path, "digest.*.eml", SearchOption.AllDirectories));

        await using (var third = await StartAsync())
        {
            await Task.Delay(2000);
            await third.StopAsync();
        }
        Assert.Equal(1, await ScheduledRunsAsync());
        Assert.Single(Directory.GetFiles(_outbox.Path, "digest.*.eml", SearchOption.AllDirectories));
    }

    private Task<CliResult> RunAsync(params string[] args) => _app.RunAsync([.. args]);
}
