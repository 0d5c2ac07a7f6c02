using System.Data.Common;
using System.Globalization;
using Dapper;
using Newsletter.Data;

namespace Newsletter.Subscribers;

/// <summary>The subscribers table. Writes that belong with other writes take the caller's connection and transaction.</summary>
public sealed class SubscriberStore(Database database, TimeProvider clock)
{
    private const string Columns =
        "id AS Id, email AS Email, name AS Name, status AS Status, send_hour AS SendHour, time_zone AS TimeZone, " +
        "secret AS Secret, created_at AS CreatedAt, confirmed_at AS ConfirmedAt, status_reason AS StatusReason";

    public Task InsertAsync(DbConnection connection, DbTransaction transaction, Subscriber subscriber) =>
        connection.ExecuteAsync(
            """
            INSERT INTO subscribers (id, email, name, status, send_hour, time_zone, secret, created_at, confirmed_at, updated_at)
            VALUES (@Id, @Email, @Name, @Status, @SendHour, @TimeZone, @Secret, @CreatedAt, @ConfirmedAt, @CreatedAt)
            """,
            subscriber, transaction);

    public async Task<Subscriber?> FindByEmailAsync(string normalisedEmail, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<Subscriber>($"SELECT {Columns} FROM subscribers WHERE email = @Email", new { Email = normalisedEmail });
    }

    public async Task<Subscriber?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<Subscriber>($"SELECT {Columns} FROM subscribers WHERE id = @Id", new { Id = id });
    }

    public async Task<IReadOnlyList<Subscriber>> ListAsync(string? status, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<Subscriber>(
            $"SELECT {Columns} FROM subscribers WHERE @Status IS NULL OR status = @Status ORDER BY created_at, email", new { Status = status })];
    }

    /// <summary>pending → active; returns false when the subscriber is not pending (already active, or gone).</summary>
    public async Task<bool> ConfirmAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var now = Now();
        return await connection.ExecuteAsync(
            "UPDATE subscribers SET status = 'active', confirmed_at = @Now, updated_at = @Now WHERE id = @Id AND status = 'pending'",
            new { Id = id, Now = now }) == 1;
    }

    public async Task<bool> SetStatusAsync(string id, string status, string? reason, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await SetStatusAsync(connection, null, id, status, reason);
    }

    public async Task<bool> SetStatusAsync(DbConnection connection, DbTransaction? transaction, string id, string status, string? reason) =>
        await connection.ExecuteAsync(
            "UPDATE subscribers SET status = @Status, status_reason = @Reason, updated_at = @Now WHERE id = @Id",
            new { Id = id, Status = status, Reason = reason, Now = Now() }, transaction) == 1;

    public Task<int> DeleteAsync(DbConnection connection, DbTransaction transaction, string id) =>
        connection.ExecuteAsync("DELETE FROM subscribers WHERE id = @Id", new { Id = id }, transaction);

    private string Now() => clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
}
