using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Newsletter.Matching;

/// <summary>
/// With NEWSLETTER_TIMINGS=1, <c>match</c> writes on stderr how long it took to build its index (wall clock, and the
/// CPU time of the thread that built it) and how long after the process started that was done. The benchmark reads
/// it to time the first index of a fresh process of a published build: the real command in a real process, nothing
/// warmed up for the measurement. The thread's CPU time is what the build costs on an idle core: on a shared machine
/// the wall clock also counts the time other processes had the core.
/// </summary>
public static class IndexTiming
{
    public const string Variable = "NEWSLETTER_TIMINGS";

    public static bool Enabled { get; } = Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary>CPU time of the calling thread so far; zero where the system cannot say.</summary>
    public static TimeSpan ThreadCpuTime()
    {
        const int threadCpuTimeClock = 3; // CLOCK_THREAD_CPUTIME_ID
        return OperatingSystem.IsLinux() && ClockGetTime(threadCpuTimeClock, out var time) == 0
            ? TimeSpan.FromTicks(time.Seconds * TimeSpan.TicksPerSecond + time.Nanoseconds / 100)
            : TimeSpan.Zero;
    }

    /// <summary>What the runtime has done so far (collections, compiled methods, allocations), to tell apart what a build costs.</summary>
    public static RuntimeWork Work() => new(GC.CollectionCount(0), System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime(), GC.GetTotalAllocatedBytes());

    public static string Line(int papers, TimeSpan build, TimeSpan buildCpu, RuntimeWork before)
    {
        var sinceStart = DateTime.Now - Process.GetCurrentProcess().StartTime;
        var after = Work();
        return string.Create(CultureInfo.InvariantCulture,
            $"timing: first index of {papers} papers built in {build.TotalMilliseconds:0.0} ms ({buildCpu.TotalMilliseconds:0.0} ms CPU of its thread), done {sinceStart.TotalMilliseconds:0} ms after the process started; "
            + $"meanwhile {after.Collections - before.Collections} collections, {after.CompiledMethods - before.CompiledMethods} methods compiled ({(after.CompilationTime - before.CompilationTime).TotalMilliseconds:0.0} ms), {(after.Allocated - before.Allocated) / 1048576.0:0.0} MB allocated");
    }

    public readonly record struct RuntimeWork(int Collections, long CompiledMethods, TimeSpan CompilationTime, long Allocated);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    // DllImport rather than LibraryImport, whose generated code needs the whole project compiled with unsafe code allowed
    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out Timespec time);
}
