using System.Diagnostics;

namespace Newsletter.Tests.Support;

/// <summary>A real, small, full-able file system: a tmpfs mounted for one test (needs root, or the right to mount).</summary>
public sealed class SmallDisk : IDisposable
{
    private SmallDisk(string path) => Path = path;

    public string Path { get; }

    public static bool CanMount { get; } = Probe();

    public static SmallDisk Mount(string path, int kilobytes)
    {
        Directory.CreateDirectory(path);
        Run("mount", "-t", "tmpfs", "-o", $"size={kilobytes}k", "tmpfs", path);
        return new SmallDisk(path);
    }

    public void Dispose() => Run("umount", "-l", Path);

    private static bool Probe()
    {
        var probe = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"tmpfs-probe-{Guid.NewGuid():N}");
        try
        {
            using (Mount(probe, 16))
            {
            }
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        finally
        {
            try
            {
                Directory.Delete(probe);
            }
            catch (IOException)
            {
            }
        }
    }

    private static void Run(string program, params string[] args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true })!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{program} {string.Join(' ', args)}: {error.Trim()}");
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{program} cannot be run: {e.Message}", e);
        }
    }
}

/// <summary>A fact that needs <see cref="SmallDisk"/>: skipped, with the reason, where a tmpfs cannot be mounted.</summary>
public sealed class FactWithSmallDiskAttribute : FactAttribute
{
    public FactWithSmallDiskAttribute()
    {
        if (!SmallDisk.CanMount)
        {
            Skip = "a small disk (tmpfs) cannot be mounted here: mounting needs root or CAP_SYS_ADMIN";
        }
    }
}
