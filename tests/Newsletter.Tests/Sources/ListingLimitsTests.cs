using System.Diagnostics;
using System.IO.Compression;
using Microsoft.AspNetCore.Http;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Sources;

/// <summary>
/// A listing is never read past Sources:MaxListingBytes or Sources:TotalTimeoutSeconds, whatever the body's framing
/// (chunked, compressed), the kind of file, or how slowly it arrives.
/// </summary>
public sealed class ListingLimitsTests : IAsyncLifetime
{
    private const int Limit = 1_000_000;
    private LoopbackServer _server = null!;
    private readonly TestApp _app = new($"--Sources:MaxListingBytes={Limit}", "--Sources:MaxRetries=2");

    public async Task InitializeAsync()
    {
        _server = await LoopbackServer.StartAsync();
        using var warmup = new HttpClient();
        await warmup.GetAsync(_server.Url("/warmup"));
        _server.Requests.Clear();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _app.Dispose();
    }

    [Fact]
    public async Task A_chunked_listing_larger_than_the_limit_is_refused_before_it_is_read_whole()
    {
        const long body = 64L * 1024 * 1024;
        long sent = 0;
        var served = new TaskCompletionSource();
        _server.Script("/big", async context =>
        {
            context.Response.ContentType = "application/json"; // no Content-Length: Kestrel sends it chunked
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)' ');
            chunk[0] = (byte)'[';
            try
            {
                // Kestrel's writes after the client hung up are quietly dropped, so ask whether it is still there
                while (sent < body && !context.RequestAborted.IsCancellationRequested)
                {
                    await context.Response.BodyWriter.WriteAsync(chunk, context.RequestAborted);
                    if ((await context.Response.BodyWriter.FlushAsync(context.RequestAborted)).IsCompleted)
                    {
                        break;
                    }
                    sent += chunk.Length;
                    chunk[0] = (byte)' ';
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                // the client hung up: what the test wants
            }
            finally
            {
                served.TrySetResult();
            }
        });

        var result = await _app.RunAsync("ingest", "--from", _server.Url("/big"));
        await served.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"error: {_server.Url("/big")} is larger than the limit Sources:MaxListingBytes = 1,000,000 bytes", result.Stderr);
        Assert.True(sent < body / 4, $"the client read {sent:N0} of {body:N0} bytes before refusing");
        Assert.Single(_server.Requests); // too large is not a reason to try again
    }

    [Fact]
    public async Task A_compressed_listing_is_limited_by_its_decoded_size()
    {
        var compressed = Gzip("[" + new string(' ', 32 * 1024 * 1024) + "]");
        Assert.True(compressed.Length < Limit);
        _server.Script("/bomb.json", async context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.Headers.ContentEncoding = "gzip";
            context.Response.ContentLength = compressed.Length;
            await context.Response.Body.WriteAsync(compressed, context.RequestAborted);
        });

        var result = await _app.RunAsync("ingest", "--from", _server.Url("/bomb.json"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is larger than the limit Sources:MaxListingBytes = 1,000,000 bytes", result.Stderr);
    }

    [Fact]
    public async Task A_listing_announced_larger_than_the_limit_is_refused_without_reading_it()
    {
        _server.Script("/announced.json", async context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = 5_000_000;
            await context.Response.Body.WriteAsync(new byte[5_000_000], context.RequestAborted);
        });

        var result = await _app.RunAsync("ingest", "--from", _server.Url("/announced.json"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{_server.Url("/announced.json")} is 5,000,000 bytes, over the limit Sources:MaxListingBytes = 1,000,000.", result.Stderr);
    }

    [Fact]
    public async Task A_body_that_trickles_is_cut_off_at_the_total_timeout()
    {
        _server.Script("/trickle", Trickle(TimeSpan.FromSeconds(15)));
        using var app = new TestApp("--Sources:TotalTimeoutSeconds=2", "--Sources:RequestTimeoutSeconds=30", "--Sources:MaxRetries=3");

        var clock = Stopwatch.StartNew();
        var result = await app.RunAsync("ingest", "--from", _server.Url("/trickle"));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6), $"still reading after {clock.Elapsed.TotalSeconds:0.0} s: {result}");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"error: could not fetch {_server.Url("/trickle")}: timed out (no complete answer within Sources:TotalTimeoutSeconds = 2 s).", result.Stderr);
    }

    [Fact]
    public async Task A_body_that_trickles_past_the_attempt_timeout_is_retried_and_then_fails()
    {
        _server.Script("/trickle", Trickle(TimeSpan.FromSeconds(15)));
        using var app = new TestApp("--Sources:TotalTimeoutSeconds=30", "--Sources:RequestTimeoutSeconds=1", "--Sources:MaxRetries=1");

        var clock = Stopwatch.StartNew();
        var result = await app.RunAsync("ingest", "--from", _server.Url("/trickle"));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6), $"still reading after {clock.Elapsed.TotalSeconds:0.0} s: {result}");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("timed out (no complete answer within Sources:RequestTimeoutSeconds = 1 s on attempt 2 of 2)", result.Stderr);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task Reading_dev_zero_stops_at_the_limit_with_a_clear_error()
    {
        Assert.True(File.Exists("/dev/zero"), "this test needs Linux's /dev/zero");

        var result = await _app.RunProgramAsync(["ingest", "--from", "/dev/zero"], TimeSpan.FromSeconds(10));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: /dev/zero is larger than the limit Sources:MaxListingBytes = 1,000,000 bytes; stopped reading there.", result.Stderr.Trim());
    }

    [Fact]
    public async Task A_pipe_that_trickles_is_cut_off_at_the_total_timeout()
    {
        var fifo = _app.Dir.File("listing.pipe");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var writer = Task.Run(async () =>
        {
            try
            {
                await using var pipe = new FileStream(fifo, FileMode.Open, FileAccess.Write);
                while (!stop.IsCancellationRequested)
                {
                    await pipe.WriteAsync("["u8.ToArray(), stop.Token);
                    await pipe.FlushAsync(stop.Token);
                    await Task.Delay(100, stop.Token);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                // the reader went away
            }
        });
        using var app = new TestApp("--Sources:TotalTimeoutSeconds=2");

        var clock = Stopwatch.StartNew();
        var result = await app.RunAsync("ingest", "--from", fifo);
        await stop.CancelAsync();
        await writer;

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6), $"still reading after {clock.Elapsed.TotalSeconds:0.0} s: {result}");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"error: could not read {fifo}: it did not end within Sources:TotalTimeoutSeconds = 2 s.", result.Stderr);
    }

    /// <summary>Headers at once, then one byte every 100 ms until <paramref name="for"/> has passed.</summary>
    private static Func<HttpContext, Task> Trickle(TimeSpan @for) => async context =>
    {
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(context.RequestAborted);
        var clock = Stopwatch.StartNew();
        try
        {
            while (clock.Elapsed < @for)
            {
                await context.Response.Body.WriteAsync(" "u8.ToArray(), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(100, context.RequestAborted);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // the client gave up
        }
    };

    private static byte[] Gzip(string text)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(System.Text.Encoding.UTF8.GetBytes(text));
        }
        return output.ToArray();
    }
}
