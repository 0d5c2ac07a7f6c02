using System.Data.Common;
using System.Text;

namespace Newsletter.Data;

/// <summary>
/// Reads the rows for many keys with one prepared <c>… IN (@k0, …, @kN)</c> statement re-used for every chunk of
/// keys; <c>{keys}</c> in the SQL marks where the list goes. Building and preparing a new statement per chunk,
/// as list expansion does, costs more than the lookups.
/// </summary>
public sealed class KeyedQuery(string sql, int keysPerStatement = 64)
{
    public async Task ForEachRowAsync(
        DbConnection connection,
        DbTransaction? transaction,
        IReadOnlyList<string> keys,
        Action<DbDataReader> onRow,
        CancellationToken cancellationToken,
        params (string Name, object Value)[] otherParameters)
    {
        DbCommand? full = null;
        try
        {
            for (var start = 0; start < keys.Count; start += keysPerStatement)
            {
                var count = Math.Min(keysPerStatement, keys.Count - start);
                var command = count == keysPerStatement ? full ??= Create(connection, transaction, count, otherParameters) : Create(connection, transaction, count, otherParameters);
                for (var i = 0; i < count; i++)
                {
                    command.Parameters[otherParameters.Length + i].Value = keys[start + i];
                }
                await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        onRow(reader);
                    }
                }
                if (command != full)
                {
                    await command.DisposeAsync();
                }
            }
        }
        finally
        {
            if (full is not null)
            {
                await full.DisposeAsync();
            }
        }
    }

    private DbCommand Create(DbConnection connection, DbTransaction? transaction, int count, (string Name, object Value)[] otherParameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        foreach (var (name, value) in otherParameters)
        {
            var other = command.CreateParameter();
            other.ParameterName = name;
            other.Value = value;
            command.Parameters.Add(other);
        }
        var list = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = $"@k{i}";
            command.Parameters.Add(parameter);
            list.Append(i == 0 ? "@k0" : $", @k{i}");
        }
        command.CommandText = sql.Replace("{keys}", list.ToString(), StringComparison.Ordinal);
        SqlDialect.Of(connection).Prepare(command);
        return command;
    }
}
