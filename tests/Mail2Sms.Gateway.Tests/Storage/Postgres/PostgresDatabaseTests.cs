using Mail2Sms.Gateway.Storage.Postgres;
using Npgsql;

namespace Mail2Sms.Gateway.Tests.Storage.Postgres;

/// <summary>The connection settings the gateway adds to an operator's PostgreSQL connection string, and the ones it leaves.</summary>
public sealed class PostgresDatabaseTests
{
    [Theory]
    [InlineData("Host=db1;Database=mail2sms", PostgresDatabase.AutoPrepared)]
    [InlineData("Host=db1;Database=mail2sms;Max Auto Prepare=0", 0)]
    [InlineData("Host=db1;Database=mail2sms;MaxAutoPrepare=5", 5)]
    [InlineData("Host=db1;Database=mail2sms;max auto prepare=7", 7)]
    public async Task Repeated_statements_are_prepared_unless_the_connection_string_says_how_many(string connectionString, int prepared)
    {
        await using var database = new PostgresDatabase(connectionString);
        Assert.Equal(prepared, new NpgsqlConnectionStringBuilder(database.DataSource.ConnectionString).MaxAutoPrepare);
    }

    [Theory]
    [InlineData("Host=db1;Database=mail2sms", true)]
    [InlineData("Host=db1;Database=mail2sms;No Reset On Close=false", false)]
    public async Task Pooled_connections_are_not_reset_unless_the_connection_string_says_so(string connectionString, bool notReset)
    {
        await using var database = new PostgresDatabase(connectionString);
        Assert.Equal(notReset, new NpgsqlConnectionStringBuilder(database.DataSource.ConnectionString).NoResetOnClose);
    }
}
