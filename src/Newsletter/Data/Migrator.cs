using System.Data.Common;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Logging;

namespace Newsletter.Data;

/// <summary>
/// Applies the numbered plain-SQL migrations embedded from <c>Data/Migrations/&lt;provider&gt;/NNNN_name.sql</c>
/// (the same numbers, side by side, for SQLite and PostgreSQL) and records each in <c>schema_migrations</c>. The
/// whole pass runs in one transaction under a lock (SQLite's write lock; a PostgreSQL advisory lock), so nodes
/// starting together apply each migration once.
/// </summary>
public sealed partial class Migrator(Database database, ILogger<Migrator> logger)
{
    public static IReadOnlyList<Migration> Sqlite { get; } = LoadEmbedded(SqlDialect.Sqlite.MigrationsFolder);

    public static IReadOnlyList<Migration> Postgres { get; } = LoadEmbedded(SqlDialect.Postgres.MigrationsFolder);

    public IReadOnlyList<Migration> Embedded => database.Dialect == SqlDialect.Postgres ? Postgres : Sqlite;

    public async Task<MigrationResult> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await database.Dialect.BeforeMigratingAsync(connection);
        try
        {
            return await MigrateAsync(connection, cancellationToken);
        }
        finally
        {
            await database.Dialect.AfterMigratingAsync(connection);
        }
    }

    private async Task<MigrationResult> MigrateAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await database.Dialect.LockMigrationsAsync(connection, transaction);
        await connection.ExecuteAsync(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    BIGINT PRIMARY KEY,
                name       TEXT NOT NULL,
                checksum   TEXT NOT NULL,
                applied_at TEXT NOT NULL
            )
            """, transaction: transaction);
        var applied = (await connection.QueryAsync<AppliedMigration>(
            "SELECT version AS Version, name AS Name, checksum AS Checksum FROM schema_migrations ORDER BY version",
            transaction: transaction)).ToDictionary(m => m.Version);

        CheckAppliedAgainstKnown(applied);

        var newlyApplied = new List<Migration>();
        foreach (var migration in Embedded.Where(m => !applied.ContainsKey(m.Version)))
        {
            try
            {
                // no time limit: a migration that rewrites a large table (0023 packs an outbox's rows: ~1 minute per
                // 8 million on PostgreSQL) outlasts the provider's 30 s default, and a cut-off pass is rolled back
                await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, commandTimeout: 0, cancellationToken: cancellationToken));
            }
            catch (DbException e)
            {
                throw new MigrationException($"migration {migration.FileName} failed: {e.Message}", e);
            }
            await connection.ExecuteAsync(
                "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (@Version, @Name, @Checksum, @AppliedAt)",
                new { migration.Version, Name = migration.FileName, migration.Checksum, AppliedAt = DateTimeOffset.UtcNow.ToString("O") },
                transaction);
            newlyApplied.Add(migration);
            LogApplied(migration.FileName);
        }
        if (newlyApplied.Count > 0 && await database.Dialect.CheckMigratedAsync(connection, transaction) is { } problem)
        {
            throw new MigrationException($"migration {newlyApplied[^1].FileName} left {problem}");
        }
        await transaction.CommitAsync(cancellationToken);
        return new MigrationResult(newlyApplied, Embedded.Count);
    }

    /// <summary>The migrations this program knows that the database has not applied yet; changes nothing.</summary>
    public async Task<IReadOnlyList<Migration>> PendingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        if (!await HasMigrationTableAsync(connection))
        {
            return Embedded;
        }
        var applied = (await connection.QueryAsync<AppliedMigration>(
            "SELECT version AS Version, name AS Name, checksum AS Checksum FROM schema_migrations ORDER BY version")).ToDictionary(m => m.Version);
        CheckAppliedAgainstKnown(applied);
        return [.. Embedded.Where(m => !applied.ContainsKey(m.Version))];
    }

    private async Task<bool> HasMigrationTableAsync(DbConnection connection) =>
        await connection.ExecuteScalarAsync<long>(database.Dialect.CountMigrationTables) > 0;

    private void CheckAppliedAgainstKnown(Dictionary<long, AppliedMigration> applied)
    {
        var known = Embedded.ToDictionary(m => m.Version);
        foreach (var row in applied.Values)
        {
            if (!known.TryGetValue(row.Version, out var migration))
            {
                throw new MigrationException(
                    $"the database has migration {row.Name} which this program does not know; it was written by a newer version of Newsletter. Upgrade Newsletter or use another database file.");
            }
            if (migration.Checksum != row.Checksum)
            {
                throw new MigrationException(
                    $"migration {migration.FileName} was changed after it was applied to this database. Applied migrations must not be edited: restore the file and add a new numbered migration instead.");
            }
        }
    }

    private static List<Migration> LoadEmbedded(string provider)
    {
        var assembly = typeof(Migrator).Assembly;
        var prefix = $"migrations/{provider}/";
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var fileName = resource[prefix.Length..];
            var underscore = fileName.IndexOf('_');
            if (underscore <= 0 || !long.TryParse(fileName[..underscore], out var version))
            {
                throw new InvalidOperationException($"migration file {fileName} must be named NNNN_description.sql");
            }
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var sql = reader.ReadToEnd();
            migrations.Add(new Migration(version, fileName, sql, Checksum(sql)));
        }
        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"two migrations share number {duplicate.Key}: {string.Join(", ", duplicate.Select(m => m.FileName))}");
        }
        return [.. migrations.OrderBy(m => m.Version)];
    }

    private static string Checksum(string sql) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql.ReplaceLineEndings("\n"))));

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied migration {Migration}")]
    private partial void LogApplied(string migration);

    private sealed class AppliedMigration
    {
        public long Version { get; init; }
        public string Name { get; init; } = "";
        public string Checksum { get; init; } = "";
    }
}

public sealed record Migration(long Version, string FileName, string Sql, string Checksum);

public sealed record MigrationResult(IReadOnlyList<Migration> Applied, int Known);

public sealed class MigrationException(string message, Exception? inner = null) : Exception(message, inner);
