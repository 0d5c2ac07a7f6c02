using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Newsletter.Common;

namespace Newsletter.Data;

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary><c>sqlite</c> (embedded default) or <c>postgres</c> (several nodes on one database).</summary>
    public string Provider { get; set; } = "sqlite";

    public string ConnectionString { get; set; } = "Data Source=data/newsletter.db";

    /// <summary>How long a command waits for a lock held by another process before failing.</summary>
    public int BusyTimeoutSeconds { get; set; } = 30;

    public static DatabaseProvider ParseProvider(string? provider) => provider?.Trim().ToLowerInvariant() switch
    {
        "postgres" or "postgresql" => DatabaseProvider.Postgres,
        _ => DatabaseProvider.Sqlite,
    };
}

public sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    public static readonly string[] SupportedProviders = ["sqlite", "postgres"];

    public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        var failures = new List<string>();
        var provider = options.Provider?.Trim().ToLowerInvariant();
        if (provider == "postgresql")
        {
            provider = "postgres";
        }
        if (provider is null || !SupportedProviders.Contains(provider))
        {
            failures.Add($"{DatabaseOptions.Section}:Provider: '{options.Provider}' is not a known database provider; use one of: {string.Join(", ", SupportedProviders)}.");
        }
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add($"{DatabaseOptions.Section}:ConnectionString: must not be empty.");
        }
        else if (provider == "sqlite")
        {
            try
            {
                var builder = new SqliteConnectionStringBuilder(options.ConnectionString);
                if (string.IsNullOrWhiteSpace(builder.DataSource))
                {
                    failures.Add($"{DatabaseOptions.Section}:ConnectionString: names no database file (expected 'Data Source=<path>').");
                }
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                failures.Add($"{DatabaseOptions.Section}:ConnectionString: '{options.ConnectionString}' is not a valid SQLite connection string ({e.Message}).");
            }
        }
        else if (provider == "postgres")
        {
            try
            {
                var builder = new Npgsql.NpgsqlConnectionStringBuilder(options.ConnectionString);
                if (string.IsNullOrWhiteSpace(builder.Host))
                {
                    failures.Add($"{DatabaseOptions.Section}:ConnectionString: names no PostgreSQL host (expected 'Host=…;Database=…;Username=…').");
                }
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                failures.Add($"{DatabaseOptions.Section}:ConnectionString: not a valid PostgreSQL connection string ({e.Message}).");
            }
        }
        SettingRange.Check(failures, $"{DatabaseOptions.Section}:BusyTimeoutSeconds", options.BusyTimeoutSeconds, 0, 3600, "fail at once");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
