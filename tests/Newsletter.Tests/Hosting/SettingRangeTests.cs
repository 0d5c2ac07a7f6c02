using Newsletter.Tests.Support;

namespace Newsletter.Tests.Hosting;

/// <summary>
/// Every number in the settings is bounded on both sides at start-up, so a value that passes cannot overflow later
/// (days added to a date, seconds turned into milliseconds), after something was written.
/// </summary>
public sealed class SettingRangeTests : IDisposable
{
    private readonly TestApp _app = new();

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData("--Site:ConfirmLinkDays=99999999", "Site:ConfirmLinkDays: must be between 1 and 3650 (was 99999999).")]
    [InlineData("--Site:ManageLinkDays=2147483647", "Site:ManageLinkDays: must be between 1 and 3650 (was 2147483647).")]
    [InlineData("--Site:SubscribeRequestsPerMinute=2000000000", "Site:SubscribeRequestsPerMinute: must be between 0 (no limit) and 10000 (was 2000000000).")]
    [InlineData("--Database:BusyTimeoutSeconds=3000000", "Database:BusyTimeoutSeconds: must be between 0 (fail at once) and 3600 (was 3000000).")]
    [InlineData("--Sources:RequestTimeoutSeconds=100000", "Sources:RequestTimeoutSeconds: must be between 1 and 3600 (was 100000).")]
    [InlineData("--Sources:TotalTimeoutSeconds=100000", "Sources:TotalTimeoutSeconds: must be between 1 and 86400 (was 100000).")]
    [InlineData("--Sources:MaxRetries=1000", "Sources:MaxRetries: must be between 0 (no retries) and 20 (was 1000).")]
    [InlineData("--Sources:RetryBaseDelayMilliseconds=2000000000", "Sources:RetryBaseDelayMilliseconds: must be between 0 and 600000 (was 2000000000).")]
    [InlineData("--Sources:MaxListingBytes=9000000000", "Sources:MaxListingBytes: must be between 1 and 500000000 (was 9000000000).")]
    [InlineData("--Smtp:MaxPerSecond=1e999", "Smtp:MaxPerSecond: must be 0 (no limit) or between 0.01 and 10000 (was Infinity).")]
    [InlineData("--Smtp:MaxPerSecond=NaN", "Smtp:MaxPerSecond: must be 0 (no limit) or between 0.01 and 10000 (was NaN).")]
    [InlineData("--Smtp:MaxPerSecond=1e-300", "Smtp:MaxPerSecond: must be 0 (no limit) or between 0.01 and 10000 (was 1E-300).")]
    [InlineData("--Smtp:TimeoutSeconds=3000000", "Smtp:TimeoutSeconds: must be between 1 and 3600 (was 3000000).")]
    [InlineData("--Smtp:RetryBaseDelayMilliseconds=1000000", "Smtp:RetryBaseDelayMilliseconds: must be between 0 and 600000 (was 1000000).")]
    [InlineData("--Smtp:MaxAttempts=20", "Smtp:RetryBaseDelayMilliseconds: with Smtp:MaxAttempts = 20 the last retry would wait 146 hours;")]
    [InlineData("--Delivery:ClaimLeaseSeconds=100000", "Delivery:ClaimLeaseSeconds: must be between 3 and 3600 (was 100000).")]
    [InlineData("--Delivery:PumpIntervalSeconds=100000", "Delivery:PumpIntervalSeconds: must be between 0 (off) and 3600 (was 100000).")]
    [InlineData("--Schedule:ListingLagDays=-1", "Schedule:ListingLagDays: must be between 0 and 7 (was -1).")]
    public async Task A_number_outside_its_range_stops_start_up_naming_the_setting_and_writes_nothing(string setting, string expected)
    {
        var result = await _app.RunAsync("subscribers", "add", "--email", "ada@example.org", "--keyword", "diffusion", setting);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("configuration error: " + expected, result.Stderr);
        Assert.Equal("", result.Stdout);
        Assert.False(File.Exists(_app.DatabasePath), "nothing may be written when a setting is out of range");
    }

    [Fact]
    public async Task Links_valid_for_the_longest_allowed_time_work_end_to_end()
    {
        using var app = new TestApp("--Site:ConfirmLinkDays=3650", "--Site:ManageLinkDays=3650", $"--Smtp:PickupFolder={_app.Dir.File("outbox")}");
        Assert.Equal(0, (await app.RunAsync("ingest", "--from", Corpus.ApiDay("2026-03-11"))).ExitCode);

        var pending = await app.RunAsync("subscribers", "add", "--email", "ada@example.org", "--keyword", "diffusion");
        var confirmed = await app.RunAsync("subscribers", "add", "--email", "bob@example.org", "--keyword", "diffusion", "--confirmed");
        var preview = await app.RunAsync("digest", "preview", "--email", "bob@example.org", "--date", "2026-03-11", "--format", "text");

        Assert.True(pending.ExitCode == 0, pending.ToString());
        Assert.True(confirmed.ExitCode == 0, confirmed.ToString());
        Assert.True(preview.ExitCode == 0, preview.ToString());
        Assert.Contains("/unsubscribe?token=", preview.Stdout);
    }
}
