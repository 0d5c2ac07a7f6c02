using System.Globalization;
using Dapper;
using Newsletter.Data;

namespace Newsletter.Admin;

/// <summary>
/// Remembers resend requests by their <c>Idempotency-Key</c> header, so a client that retries after a timeout
/// gets the first answer back instead of a second copy of every digest.
/// </summary>
public sealed class IdempotencyKeys(Database database, TimeProvider clock)
{
    public const string Header = "Idempotency-Key";

    /// <returns>Null when the key is new (and now taken); else the stored answer, or "" while the first request is still running.</returns>
    public async Task<string?> TakeAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var taken = await connection.ExecuteAsync(
            "INSERT INTO resend_requests (idempotency_key, created_at, response) VALUES (@Key, @Now, '') ON CONFLICT (idempotency_key) DO NOTHING",
            new { Key = key, Now = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture) });
        return taken == 1 ? null : await connection.ExecuteScalarAsync<string>("SELECT response FROM resend_requests WHERE idempotency_key = @Key", new { Key = key });
    }

    public async Task CompleteAsync(string key, string response, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("UPDATE resend_requests SET response = @Response WHERE idempotency_key = @Key", new { Key = key, Response = response });
    }

    /// <summary>A request that failed before it sent anything frees its key, so it can be retried.</summary>
    public async Task ReleaseAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("DELETE FROM resend_requests WHERE idempotency_key = @Key AND response = ''", new { Key = key });
    }
}
