namespace Newsletter.Bench;

/// <summary>A database of its own for one bench run: a SQLite file in a temporary folder, or a throwaway PostgreSQL; the app's settings to reach it.</summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string? _folder;
    private readonly ThrowawayPostgres? _postgres;

    private BenchDatabase(string name, string[] settings, string? folder, ThrowawayPostgres? postgres)
    {
        Name = name;
        Settings = settings;
        _folder = folder;
        _postgres = postgres;
    }

    public string Name { get; }

    public string[] Settings { get; }

    public static async Task<BenchDatabase> CreateAsync(bool postgres)
    {
        if (postgres)
        {
            var server = await ThrowawayPostgres.StartAsync();
            return new BenchDatabase("PostgreSQL 15", ["--Database:Provider=postgres", $"--Database:ConnectionString={server.ConnectionString}"], null, server);
        }
        var folder = Directory.CreateTempSubdirectory("newsletter-e2e-").FullName;
        return new BenchDatabase("a SQLite file", [$"--Database:ConnectionString=Data Source={Path.Combine(folder, "newsletter.db")}"], folder, null);
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
        if (_folder is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_folder, recursive: true);
        }
    }
}
