using Microsoft.Extensions.Options;
using Newsletter.Common;
using Newsletter.Data;
using Npgsql;

namespace Newsletter.Tests.Data;

public sealed class DatabaseTests
{
    private static NpgsqlConnectionStringBuilder Resolved(string connectionString)
    {
        var database = new Database(Options.Create(new DatabaseOptions { Provider = "postgres", ConnectionString = connectionString }), new NewsletterHome(Path.GetTempPath(), ""));
        return new NpgsqlConnectionStringBuilder(database.ConnectionString);
    }

    [Fact]
    public void PostgreSQL_connections_prepare_repeated_statements_and_skip_the_session_reset_by_default()
    {
        var resolved = Resolved("Host=db.example.org;Username=newsletter;Database=newsletter");

        Assert.Equal(32, resolved.MaxAutoPrepare);
        Assert.True(resolved.NoResetOnClose);
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0;No Reset On Close=false")]
    [InlineData("Host=db;maxautoprepare=0;NoResetOnClose=False")]
    public void What_the_connection_string_says_about_them_is_kept(string connectionString)
    {
        var resolved = Resolved(connectionString);

        Assert.Equal(0, resolved.MaxAutoPrepare);
        Assert.False(resolved.NoResetOnClose);
    }
}
