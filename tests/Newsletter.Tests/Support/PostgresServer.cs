using System.Diagnostics;
using Npgsql;

namespace Newsletter.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL cluster for this test run (Debian's postgresql-15: initdb into a temp folder, pg_ctl on a
/// free loopback port, fsync off), started on first use and stopped when the test process exits. Every test gets a
/// database of its own.
/// </summary>
public sealed class PostgresServer
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private static readonly Lazy<Task<PostgresServer>> Started = new(StartAsync);
    private int _databases;

    private PostgresServer(string folder, int port)
    {
        Folder = folder;
        Port = port;
    }

    public string Folder { get; }

    public int Port { get; }

    public static bool Installed => File.Exists(Path.Combine(Bin, "initdb"));

    public static Task<PostgresServer> InstanceAsync() => Started.Value;

    /// <summary>A new empty database; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"test_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await using var admin = new NpgsqlConnection(ConnectionString("postgres"));
        await admin.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
        await create.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=newsletter;Database={database};Pooling=true;Maximum Pool Size=20";

    private static async Task<PostgresServer> StartAsync()
    {
        Assert.True(Installed, $"{Bin}/initdb is missing: run tools/install-test-deps.sh (apt postgresql)");
        var folder = Directory.CreateTempSubdirectory("newsletter-pg-").FullName;
        var asRoot = Environment.UserName == "root"; // PostgreSQL refuses to run as root: use the package's postgres user
        if (asRoot)
        {
            await RunAsync("chown", ["postgres", folder]);
        }
        var port = Ports.Free();
        await RunAsync(asRoot, "initdb", ["-D", Path.Combine(folder, "data"), "-A", "trust", "-U", "newsletter", "--no-sync", "-E", "UTF8"]);
        await RunAsync(asRoot, "pg_ctl", ["-D", Path.Combine(folder, "data"), "-l", Path.Combine(folder, "log"), "-w", "-o",
            $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", "start"]);
        var server = new PostgresServer(folder, port);
        StopWhenThisProcessEnds(asRoot, folder);
        return server;
    }

    /// <summary>
    /// The test host is often killed rather than let exit once the tests are done, so an exit handler would not run:
    /// a small watchdog outside it stops the cluster and deletes its folder when this process is gone.
    /// </summary>
    private static void StopWhenThisProcessEnds(bool asRoot, string folder)
    {
        var stop = $"{Path.Combine(Bin, "pg_ctl")} -D '{Path.Combine(folder, "data")}' -m immediate stop";
        if (asRoot)
        {
            stop = $"runuser -u postgres -- {stop}";
        }
        var script = $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf '{folder}'";
        using var watchdog = Process.Start(new ProcessStartInfo("setsid", ["sh", "-c", script])
        {
            RedirectStandardInput = true, // its own pipes, so it holds none of the test run's output open
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
    }

    private static Task RunAsync(bool asRoot, string tool, string[] args) =>
        asRoot ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(Bin, tool), .. args]) : RunAsync(Path.Combine(Bin, tool), args);

    private static async Task RunAsync(string file, string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await stdout}{await stderr}");
    }
}
