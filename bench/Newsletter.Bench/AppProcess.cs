using System.Diagnostics;

namespace Newsletter.Bench;

/// <summary>
/// The built app (<c>newsletter.dll</c> beside the bench) as a child process, with its peak working set: the kernel's
/// high-water mark of its resident memory (VmHWM), read while it runs since it is gone once the process exits.
/// </summary>
public sealed class AppProcess
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    private AppProcess(Process process)
    {
        _process = process;
        Pid = process.Id;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public int Pid { get; }

    public long PeakBytes { get; private set; }

    public static AppProcess Start(IEnumerable<string> args) => new(Process.Start(new ProcessStartInfo("dotnet",
        [Path.Combine(AppContext.BaseDirectory, "newsletter.dll"), .. args]) { RedirectStandardOutput = true, RedirectStandardError = true })!);

    /// <summary>Waits for all of them, reading their peaks every 100 ms; throws with its output when one fails.</summary>
    public static async Task WaitAllAsync(IReadOnlyList<AppProcess> processes)
    {
        while (processes.Any(p => !p._process.HasExited))
        {
            foreach (var process in processes)
            {
                process.PeakBytes = Math.Max(process.PeakBytes, Memory(process.Pid, "VmHWM"));
            }
            await Task.Delay(100);
        }
        foreach (var process in processes)
        {
            await process._process.WaitForExitAsync();
            var stderr = await process._stderr;
            if (process._process.ExitCode != 0 || stderr.Contains("error", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"newsletter (pid {process.Pid}) exited with {process._process.ExitCode}: {await process._stdout}\n{stderr}");
            }
        }
    }

    /// <summary>A memory figure of /proc/&lt;pid&gt;/status in bytes (VmRSS, VmHWM); 0 once the process is gone.</summary>
    public static long Memory(int pid, string field)
    {
        try
        {
            var line = File.ReadAllLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
