using System.Data.Common;
using System.Runtime.CompilerServices;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Newsletter.Common;
using Npgsql;

namespace Newsletter.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Opens connections to the configured database, ready for use: an embedded SQLite file (pragmas set, folder
/// created) or PostgreSQL through a pooled Npgsql data source. The SQL in the stores is written to run on both.
/// </summary>
public sealed class Database : IAsyncDisposable
{
    private readonly string _connectionString = "";
    private readonly int _busyTimeoutMs;
    private readonly NpgsqlDataSource? _postgres;

    public Database(IOptions<DatabaseOptions> options, NewsletterHome home)
    {
        Dialect = SqlDialect.For(DatabaseOptions.ParseProvider(options.Value.Provider));
        if (Dialect is PostgresDialect)
        {
            var builder = new NpgsqlConnectionStringBuilder(options.Value.ConnectionString);
            if (builder.CommandTimeout < options.Value.BusyTimeoutSeconds)
            {
                builder.CommandTimeout = options.Value.BusyTimeoutSeconds;
            }
            // Unless the connection string says otherwise: prepare the statements a send repeats for every message,
            // and keep a pooled connection's session as it is when it comes back (the service sets no session
            // state, and resetting it costs a round trip per connection taken from the pool).
            if (!Mentions(options.Value.ConnectionString, "Max Auto Prepare"))
            {
                builder.MaxAutoPrepare = 32;
            }
            if (!Mentions(options.Value.ConnectionString, "No Reset On Close"))
            {
                builder.NoResetOnClose = true;
            }
            ConnectionString = builder.ConnectionString;
            _postgres = NpgsqlDataSource.Create(builder);
            return;
        }
        var sqlite = new SqliteConnectionStringBuilder(options.Value.ConnectionString);
        if (sqlite.DataSource != ":memory:" && sqlite.Mode != SqliteOpenMode.Memory)
        {
            sqlite.DataSource = home.Resolve(sqlite.DataSource);
            FilePath = sqlite.DataSource;
        }
        sqlite.DefaultTimeout = Math.Max(sqlite.DefaultTimeout, options.Value.BusyTimeoutSeconds);
        _busyTimeoutMs = options.Value.BusyTimeoutSeconds * 1000;
        _connectionString = sqlite.ToString();
        ConnectionString = _connectionString;
    }

    /// <summary>Whether the connection string sets <paramref name="keyword"/> (in any spelling Npgsql accepts: case, spaces).</summary>
    private static bool Mentions(string connectionString, string keyword)
    {
        static string Squeeze(string key) => key.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return given.Keys.Cast<string>().Any(key => Squeeze(key) == Squeeze(keyword));
    }

    /// <summary>What differs between the providers, for the code that writes SQL.</summary>
    public SqlDialect Dialect { get; }

    public DatabaseProvider Provider => Dialect.Provider;

    /// <summary>The SQLite file, or null (in-memory SQLite, or PostgreSQL).</summary>
    public string? FilePath { get; }

    /// <summary>The resolved connection string (the SQLite path made absolute), for Quartz's job store.</summary>
    public string ConnectionString { get; }

    /// <summary>Where the data is, for messages: the file, or the PostgreSQL host and database (never the password).</summary>
    public string Description => _postgres is not null ? PostgresDescription() : FilePath ?? ":memory:";

    private string PostgresDescription()
    {
        var b = new NpgsqlConnectionStringBuilder(ConnectionString);
        return $"PostgreSQL {b.Host}:{b.Port}/{b.Database}";
    }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(cancellationToken);
        }
        var connection = NewSqliteConnection();
        try
        {
            await connection.OpenAsync(cancellationToken);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteCantOpen)
        {
            await connection.DisposeAsync();
            throw CannotOpen(e);
        }
        if (FirstOpenOf(connection))
        {
            await connection.ExecuteAsync(Dialect.SessionSettings(_busyTimeoutMs)!);
        }
        return connection;
    }

    /// <summary>For the one caller an interface keeps synchronous: ASP.NET's data-protection key ring (read at start-up, then daily).</summary>
    public DbConnection Open()
    {
        if (_postgres is not null)
        {
            return _postgres.OpenConnection();
        }
        var connection = NewSqliteConnection();
        try
        {
            connection.Open();
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteCantOpen)
        {
            connection.Dispose();
            throw CannotOpen(e);
        }
        if (FirstOpenOf(connection))
        {
            connection.Execute(Dialect.SessionSettings(_busyTimeoutMs)!);
        }
        return connection;
    }

    /// <summary>
    /// The SQLite files (handles) whose session settings are made: a pooled connection keeps them, and making them at
    /// every open ran the settings' pragmas again for every claim and every group of sent marks (a million of them in
    /// a day's send). Weak: a handle the pool closes takes its entry with it.
    /// </summary>
    private readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> _settled = new();

    private bool FirstOpenOf(SqliteConnection connection) =>
        connection.Handle is not { } handle || _settled.TryAdd(handle, _settled);

    private SqliteConnection NewSqliteConnection()
    {
        if (FilePath is not null && !File.Exists(FilePath))
        {
            CreateFile(FilePath);
        }
        return new SqliteConnection(_connectionString);
    }

    private DatabaseUnavailableException CannotOpen(Exception e) => CannotOpen(FilePath ?? _connectionString, e);

    private static DatabaseUnavailableException CannotOpen(string path, Exception e) => new(
        $"cannot open or create {path}: it cannot be made or opened there (this user must be able to write to the file and its folder).", e);

    private const int SqliteCantOpen = 14;

    /// <summary>
    /// An empty file (SQLite takes it as an empty database) in a folder of its own, both the owner's only: SQLite
    /// would create it 0644, and gives its -wal and -shm files the database file's permissions.
    /// </summary>
    private static void CreateFile(string path)
    {
        try
        {
            PrivateFiles.CreateFolder(Path.GetDirectoryName(path)!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatabaseUnavailableException($"cannot create {path}: its folder cannot be created ({e.Message.TrimEnd('.')}).", e);
        }
        try
        {
            PrivateFiles.Create(path, FileMode.CreateNew).Dispose();
        }
        catch (IOException) when (File.Exists(path))
        {
            // another connection or process created it first
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CannotOpen(path, e);
        }
    }

    /// <summary>A unique key refused the row (the database deciding that something already exists).</summary>
    public static bool IsUniqueViolation(DbException e) =>
        e is SqliteException { SqliteErrorCode: 19 } || e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}

/// <summary>
/// The database file cannot be opened or created where the settings say. A <see cref="DbException"/>, so everything
/// that reports a database error reports this one the same way.
/// </summary>
public sealed class DatabaseUnavailableException(string message, Exception inner) : DbException(message, inner);
