using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Newsletter.Hosting;

namespace Newsletter.Data;

/// <summary>Opens connections to the configured database, ready for use (pragmas set, folder created).</summary>
public sealed class Database
{
    private readonly string _connectionString;
    private readonly int _busyTimeoutMs;

    public Database(IOptions<DatabaseOptions> options, NewsletterHome home)
    {
        var builder = new SqliteConnectionStringBuilder(options.Value.ConnectionString);
        if (builder.DataSource != ":memory:" && builder.Mode != SqliteOpenMode.Memory)
        {
            builder.DataSource = home.Resolve(builder.DataSource);
            FilePath = builder.DataSource;
        }
        builder.DefaultTimeout = Math.Max(builder.DefaultTimeout, options.Value.BusyTimeoutSeconds);
        _busyTimeoutMs = options.Value.BusyTimeoutSeconds * 1000;
        _connectionString = builder.ToString();
    }

    /// <summary>The database file, or null for an in-memory database.</summary>
    public string? FilePath { get; }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (FilePath is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        }
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        // Per-connection settings: wait for other writers instead of failing, enforce references, and
        // trade a little durability on power loss (never on crash) for much faster commits under WAL.
        await connection.ExecuteAsync(
            $"PRAGMA busy_timeout = {_busyTimeoutMs}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;");
        return connection;
    }
}
