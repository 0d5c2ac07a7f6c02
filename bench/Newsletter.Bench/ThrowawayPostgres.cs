using System.Diagnostics;

namespace Newsletter.Bench;

/// <summary>
/// A PostgreSQL 15 cluster of its own in a temporary folder on a free loopback port, without fsync (nothing here
/// needs to survive a crash), stopped and deleted on dispose. Needs root (it runs the tools as postgres) or the postgres user.
/// </summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private static readonly bool AsRoot = Environment.UserName == "root";
    private readonly string _folder;

    private ThrowawayPostgres(string folder, int port)
    {
        _folder = folder;
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=newsletter;Database=postgres;Maximum Pool Size=50";
    }

    public string ConnectionString { get; }

    /// <param name="serverOptions">More <c>-c name=value</c> settings for the server.</param>
    public static async Task<ThrowawayPostgres> StartAsync(string serverOptions = "")
    {
        var folder = Directory.CreateTempSubdirectory("newsletter-pg-").FullName;
        var port = SendBench.FreePort();
        if (AsRoot)
        {
            await RunAsync("chown", ["postgres", folder]);
        }
        await Pg("initdb", ["-D", Path.Combine(folder, "data"), "-A", "trust", "-U", "newsletter", "--no-sync", "-E", "UTF8"]);
        await Pg("pg_ctl", ["-D", Path.Combine(folder, "data"), "-l", Path.Combine(folder, "log"), "-w", "-o",
            $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200 -c shared_buffers=256MB {serverOptions}", "start"]);
        return new ThrowawayPostgres(folder, port);
    }

    public async ValueTask DisposeAsync()
    {
        await Pg("pg_ctl", ["-D", Path.Combine(_folder, "data"), "-m", "immediate", "stop"]);
        Directory.Delete(_folder, recursive: true);
    }

    private static Task Pg(string tool, string[] args) =>
        AsRoot ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(Bin, tool), .. args]) : RunAsync(Path.Combine(Bin, tool), args);

    private static async Task RunAsync(string file, string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {await stderr}");
        }
    }
}
