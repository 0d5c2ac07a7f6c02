using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Newsletter.Data;

/// <summary>
/// SQLite's nearest thing to a bulk copy: one single-row INSERT prepared once and stepped for every row, its values
/// bound by position through SQLite's own API (the library under Microsoft.Data.Sqlite). ADO.NET binds every
/// parameter by name at every execution, which cost more than the row itself: a day's plan of 100,000 digests is
/// 800,000 paper rows. Runs inside the connection's open transaction, as any statement on it does.
/// </summary>
internal static class SqliteRowCopy
{
    private const int CheckCancellationEvery = 1_024;

    /// <param name="suffix">Conflict rules (<c>ON CONFLICT …</c>), or empty.</param>
    /// <param name="written">Called with each row the statement wrote (a row a conflict rule skipped is not).</param>
    public static void Insert(DbConnection connection, string table, string[] columns, IEnumerable<object?[]> rows, string suffix, Action<object?[]>? written,
        CancellationToken cancellationToken)
    {
        var sql = new StringBuilder($"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES (");
        for (var c = 1; c <= columns.Length; c++)
        {
            sql.Append(c == 1 ? "?1" : $", ?{c}");
        }
        sql.Append(") ").Append(suffix);
        Step(connection, sql.ToString(), table, columns, rows, written, cancellationToken);
    }

    /// <summary>
    /// Prepares <paramref name="sql"/> once and steps it once per row, the row's values bound by position to
    /// <c>?1</c>, <c>?2</c>, … (<paramref name="columns"/> names them in errors).
    /// </summary>
    /// <param name="written">Called with each row for which the statement changed a row.</param>
    public static void Step(DbConnection connection, string sql, string table, string[] columns, IEnumerable<object?[]> rows, Action<object?[]>? written,
        CancellationToken cancellationToken)
    {
        var handle = ((SqliteConnection)connection).Handle ?? throw new InvalidOperationException("the SQLite connection is not open");
        Check(raw.sqlite3_prepare_v2(handle, sql, out var statement), handle);
        using (statement)
        {
            var seen = 0;
            foreach (var row in rows)
            {
                if (++seen % CheckCancellationEvery == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
                for (var c = 0; c < columns.Length; c++)
                {
                    Check(Bind(statement, c + 1, row[c], columns[c], table), handle);
                }
                var done = raw.sqlite3_step(statement);
                raw.sqlite3_reset(statement);
                if (done != raw.SQLITE_DONE)
                {
                    Check(done, handle);
                }
                if (written is not null && raw.sqlite3_changes(handle) > 0)
                {
                    written(row);
                }
            }
        }
    }

    private static int Bind(sqlite3_stmt statement, int index, object? value, string column, string table) => value switch
    {
        null or DBNull => raw.sqlite3_bind_null(statement, index),
        string text => raw.sqlite3_bind_text(statement, index, text),
        int number => raw.sqlite3_bind_int64(statement, index, number),
        long number => raw.sqlite3_bind_int64(statement, index, number),
        bool flag => raw.sqlite3_bind_int64(statement, index, flag ? 1 : 0),
        double real => raw.sqlite3_bind_double(statement, index, real),
        float real => raw.sqlite3_bind_double(statement, index, real),
        decimal real => raw.sqlite3_bind_text(statement, index, real.ToString(CultureInfo.InvariantCulture)),
        byte[] bytes => raw.sqlite3_bind_blob(statement, index, bytes),
        _ => throw new NotSupportedException($"{table}.{column}: a {value.GetType().Name} value has no SQLite binding here"),
    };

    private static void Check(int code, sqlite3 handle)
    {
        if (code is not (raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW))
        {
            SqliteException.ThrowExceptionForRC(code, handle);
        }
    }
}
