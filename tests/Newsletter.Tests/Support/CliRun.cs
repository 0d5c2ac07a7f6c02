using System.Diagnostics;
using System.Text.Json;
using Newsletter.Hosting;

namespace Newsletter.Tests.Support;

public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public JsonElement Json() => JsonDocument.Parse(Stdout).RootElement;

    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>The database a test runs on; tests written once run on both where they derive per backend.</summary>
public enum Backend
{
    Sqlite,
    Postgres,
}

/// <summary>Runs the real command line in-process against a throwaway database (a SQLite file, or a PostgreSQL database of its own).</summary>
public sealed class TestApp : IDisposable
{
    private readonly TempDirectory _dir = new();

    public TestApp(params string[] settings)
        : this(Backend.Sqlite, null, settings)
    {
    }

    private TestApp(Backend backend, string? postgres, string[] settings)
    {
        Backend = backend;
        DatabasePath = _dir.File("newsletter.db");
        PostgresConnectionString = postgres;
        Settings =
        [
            $"--Database:ConnectionString=Data Source={DatabasePath}", "--Sources:RetryBaseDelayMilliseconds=20",
            .. postgres is null ? Array.Empty<string>() : ["--Database:Provider=postgres", $"--Database:ConnectionString={postgres}"],
            .. settings,
        ];
    }

    public static async Task<TestApp> CreateAsync(Backend backend, params string[] settings) => backend == Backend.Postgres
        ? new TestApp(backend, await (await PostgresServer.InstanceAsync()).CreateDatabaseAsync(), settings)
        : new TestApp(settings);

    public Backend Backend { get; }

    /// <summary>The SQLite file (unused on PostgreSQL).</summary>
    public string DatabasePath { get; }

    public string? PostgresConnectionString { get; }

    /// <summary>One value straight from the database, to check what really got stored.</summary>
    public object? Query(string sql)
    {
        using var connection = OpenDatabase();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = command.ExecuteScalar();
        return value is int i ? (long)i : value;
    }

    /// <summary>
    /// The papers of the stored digests whose delivery (<c>d</c>) meets <paramref name="where"/>, one per paper in
    /// digest order, unpacked as the product reads them.
    /// </summary>
    public List<(string DeliveryId, string SubscriberId, int Rank, Newsletter.Digests.PackedPaper Paper)> DigestPapers(string where = "1 = 1") =>
        [.. QueryRows($"SELECT p.delivery_id, d.subscriber_id, p.papers FROM digest_papers p JOIN deliveries d ON d.id = p.delivery_id WHERE {where} ORDER BY p.delivery_id")
            .SelectMany(r => Newsletter.Digests.PackedPapers.Unpack((string)r[2]!).Select((paper, i) => ((string)r[0]!, (string)r[1]!, i + 1, paper)))];

    /// <summary>Every row straight from the database, each as its column values (DBNull as null).</summary>
    public List<object?[]> QueryRows(string sql)
    {
        using var connection = OpenDatabase();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : reader.GetValue(i))]);
        }
        return rows;
    }

    private System.Data.Common.DbConnection OpenDatabase()
    {
        System.Data.Common.DbConnection connection = PostgresConnectionString is null
            ? new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath}")
            : new Npgsql.NpgsqlConnection(PostgresConnectionString);
        connection.Open();
        return connection;
    }

    public string[] Settings { get; }

    public TempDirectory Dir => _dir;

    public async Task<CliResult> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await NewsletterCli.RunAsync([.. Settings, .. args], stdout, stderr);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>
    /// The built program as its own process, as a shell runs it: its exit code, and everything on its stdout and stderr
    /// (logs included, which an in-process run does not capture). Killed after <paramref name="timeout"/> (exit code -1).
    /// </summary>
    public async Task<CliResult> RunProgramAsync(string[] args, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var program = Path.Combine(AppContext.BaseDirectory, "newsletter.dll");
        var start = new ProcessStartInfo("dotnet", [program, .. args, .. Settings])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _dir.Path,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return new CliResult(-1, await stdout, await stderr + $"\n(killed after {timeout.TotalSeconds:0} s)");
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    public void Dispose() => _dir.Dispose();
}
