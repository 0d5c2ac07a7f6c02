using System.Diagnostics;
using System.Threading.Channels;

namespace Newsletter.Tests.Support;

/// <summary>
/// The built program running <c>serve</c> in its own process, its stdout and stderr read as one stream in the order a
/// terminal shows them (the shell joins them into one pipe), line by line while it runs. Killed on dispose.
/// </summary>
public sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _seen = [];
    private readonly Task _reader;

    private ServeProcess(Process process)
    {
        _process = process;
        _reader = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                _lines.Writer.TryWrite(line);
            }
            _lines.Writer.TryComplete();
        });
    }

    /// <param name="home">NEWSLETTER_HOME and the working directory.</param>
    public static ServeProcess Start(string home, params string[] args)
    {
        var program = Path.Combine(AppContext.BaseDirectory, "newsletter.dll");
        var start = new ProcessStartInfo("/bin/sh", ["-c", "exec \"$0\" \"$@\" 2>&1", "dotnet", program, "serve", .. args])
        {
            RedirectStandardOutput = true,
            WorkingDirectory = home,
        };
        // what other tests set in this process must not reach this one
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("NEWSLETTER", StringComparison.Ordinal) || k.StartsWith("ASPNETCORE_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }
        start.Environment["NEWSLETTER_HOME"] = home;
        return new ServeProcess(Process.Start(start)!);
    }

    /// <summary>Every line so far.</summary>
    public IReadOnlyList<string> Lines => _seen;

    /// <summary>Reads lines until one matches; fails with everything read if the program ends or the time runs out first.</summary>
    public async Task<int> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (await _lines.Reader.WaitToReadAsync(deadline.Token))
            {
                while (_lines.Reader.TryRead(out var line))
                {
                    _seen.Add(line);
                    if (match(line))
                    {
                        return _seen.Count - 1;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"no such line in {timeout.TotalSeconds:0} s; the program wrote:\n{string.Join('\n', _seen)}");
        }
        Assert.Fail($"the program ended (exit {(_process.HasExited ? _process.ExitCode : -1)}) without that line; it wrote:\n{string.Join('\n', _seen)}");
        return -1;
    }

    /// <summary>Whatever else arrives within <paramref name="time"/>.</summary>
    public async Task ReadForAsync(TimeSpan time)
    {
        using var deadline = new CancellationTokenSource(time);
        try
        {
            while (await _lines.Reader.WaitToReadAsync(deadline.Token))
            {
                while (_lines.Reader.TryRead(out var line))
                {
                    _seen.Add(line);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        await _reader;
        _process.Dispose();
    }
}
