using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Newsletter.Data;

namespace Newsletter.Bench;

/// <summary>
/// Active subscribers with 3–5 keywords each, written straight into the tables as a bulk import would: COPY where the
/// dialect has it (PostgreSQL), otherwise multi-row INSERTs of <see cref="RowsPerStatement"/> rows, prepared once and
/// re-valued, committed every <see cref="RowsPerTransaction"/> subscribers. This is set-up, timed only so a million
/// stays quick to prepare.
/// </summary>
public static class SubscriberGenerator
{
    public const int RowsPerStatement = 250;

    public const int RowsPerTransaction = 50_000;

    private const string Created = "2026-03-01T00:00:00Z";

    private static readonly Table SubscribersTable = new("subscribers", ["id", "email"],
        [("status", "active"), ("send_hour", 8L), ("time_zone", "UTC"), ("secret", "secret"), ("created_at", Created), ("updated_at", Created)]);

    private static readonly Table ProfilesTable = new("profiles", ["subscriber_id", "keywords"], [("exclusions", "[]"), ("max_papers", 10L), ("updated_at", Created)]);

    /// <returns>How it went in: the method, for the report.</returns>
    public static async Task<string> AddAsync(Database database, int count, string idPrefix, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var dialect = SqlDialect.Of(connection);
        if (dialect.CopiesRows(count))
        {
            await CopyAsync(dialect, connection, SubscribersTable, Subscribers(idPrefix, 0, count), cancellationToken);
            await CopyAsync(dialect, connection, ProfilesTable, Profiles(idPrefix, 0, count), cancellationToken);
            return "COPY";
        }
        await InsertInBatchesAsync(connection, idPrefix, count, cancellationToken);
        return $"multi-row INSERT, {RowsPerStatement} rows per statement, {RowsPerTransaction:N0} subscribers per transaction";
    }

    /// <summary>Generates <paramref name="count"/> subscribers and prints how long it took.</summary>
    public static async Task<TimeSpan> AddTimedAsync(Database database, int count, string databaseName, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var method = await AddAsync(database, count, "e", cancellationToken);
        var elapsed = clock.Elapsed;
        Console.WriteLine($"Generated {count:N0} subscribers with their profiles on {databaseName} in {elapsed.TotalSeconds:0.0} s " +
                          $"({count / elapsed.TotalSeconds:N0} subscribers/s; {method}).");
        Console.WriteLine();
        return elapsed;
    }

    private static async Task InsertInBatchesAsync(DbConnection connection, string idPrefix, int count, CancellationToken cancellationToken)
    {
        var keywords = new KeywordSource();
        for (var start = 0; start < count; start += RowsPerTransaction)
        {
            var end = Math.Min(count, start + RowsPerTransaction);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await InsertAsync(connection, transaction, SubscribersTable, Subscribers(idPrefix, start, end), cancellationToken);
            await InsertAsync(connection, transaction, ProfilesTable, Profiles(idPrefix, start, end, keywords), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
    }

    private static Task CopyAsync(SqlDialect dialect, DbConnection connection, Table table, IEnumerable<object?[]> rows, CancellationToken cancellationToken) =>
        dialect.CopyAsync(connection, table.Name, [.. table.Columns, .. table.Constants.Select(c => c.Column)],
            rows.Select(row => (object?[])[.. row, .. table.Constants.Select(c => c.Value)]), cancellationToken);

    /// <summary>Full statements re-use one prepared command; the last, shorter one gets its own.</summary>
    private static async Task InsertAsync(DbConnection connection, DbTransaction transaction, Table table, IEnumerable<object?[]> rows, CancellationToken cancellationToken)
    {
        await using var full = Statement(connection, transaction, table, RowsPerStatement);
        foreach (var chunk in rows.Chunk(RowsPerStatement))
        {
            if (chunk.Length == RowsPerStatement)
            {
                await ExecuteAsync(full, chunk, cancellationToken);
                continue;
            }
            await using var last = Statement(connection, transaction, table, chunk.Length);
            await ExecuteAsync(last, chunk, cancellationToken);
        }
    }

    private static async Task ExecuteAsync(DbCommand command, object?[][] rows, CancellationToken cancellationToken)
    {
        var columns = rows[0].Length;
        for (var r = 0; r < rows.Length; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                command.Parameters[r * columns + c].Value = rows[r][c];
            }
        }
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Parameters only for what differs per row: the constants are literals, since SQLite finds each parameter by name
    /// in a list as long as the statement's (bind cost grows with parameters per statement times parameters).
    /// </summary>
    private static DbCommand Statement(DbConnection connection, DbTransaction transaction, Table table, int rowCount)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        var constants = string.Concat(table.Constants.Select(c => ", " + (c.Value is string text ? $"'{text}'" : Convert.ToString(c.Value, CultureInfo.InvariantCulture))));
        var sql = new StringBuilder($"INSERT INTO {table.Name} ({string.Join(", ", [.. table.Columns, .. table.Constants.Select(c => c.Column)])}) VALUES ");
        for (var r = 0; r < rowCount; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < table.Columns.Length; c++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = $"@p{r}_{c}";
                command.Parameters.Add(parameter);
                sql.Append(c == 0 ? "" : ", ").Append(parameter.ParameterName);
            }
            sql.Append(constants).Append(')');
        }
        command.CommandText = sql.ToString();
        return command;
    }

    private static IEnumerable<object?[]> Subscribers(string idPrefix, int start, int end)
    {
        for (var i = start; i < end; i++)
        {
            yield return [$"{idPrefix}{i:D7}", $"reader{i:D7}@example.org"];
        }
    }

    private static IEnumerable<object?[]> Profiles(string idPrefix, int start, int end, KeywordSource? keywords = null)
    {
        keywords ??= new KeywordSource();
        for (var i = start; i < end; i++)
        {
            yield return [$"{idPrefix}{i:D7}", keywords.Next()];
        }
    }

    /// <summary>A table's columns given per row, then those every row has the same value in.</summary>
    private sealed record Table(string Name, string[] Columns, (string Column, object Value)[] Constants);

    /// <summary>3–5 keywords from the match bench's vocabulary, the same sequence for the same seed.</summary>
    private sealed class KeywordSource
    {
        private readonly Random _random = new(42);

        public string Next() => System.Text.Json.JsonSerializer.Serialize(
            Enumerable.Range(0, _random.Next(3, 6)).Select(_ => MatchBench.Vocabulary[_random.Next(MatchBench.Vocabulary.Length)]));
    }
}
