using Dapper;
using Mail2Sms.Core.Intake;
using Microsoft.Data.Sqlite;

namespace Mail2Sms.Gateway.Storage.Sqlite;

/// <summary>
/// The sender directory's copy on SQLite: the version is read with one prepared statement on a connection kept open,
/// the rows in one read transaction.
/// </summary>
internal sealed class SenderDirectory(SqliteDatabase database) : SenderDirectoryCopy
{
    private readonly Lock _versionGate = new();
    private SqliteConnection? _connection;
    private SqliteCommand? _versionQuery;

    protected override async Task<long> ReadVersionAsync(CancellationToken cancellationToken)
    {
        if (_versionQuery is null)
        {
            var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            lock (_versionGate)
            {
                if (_versionQuery is null)
                {
                    var query = connection.CreateCommand();
                    query.CommandText = "SELECT version FROM directory_version";
                    query.Prepare();
                    (_connection, _versionQuery) = (connection, query);
                    connection = null;
                }
            }

            connection?.Dispose();
        }

        lock (_versionGate)
        {
            return (long)_versionQuery!.ExecuteScalar()!;
        }
    }

    // One read transaction (deferred: it never takes the write lock): the version and the rows it counts are seen together.
    protected override async Task<SenderDirectorySnapshot> LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: true);
        var version = await connection.ExecuteScalarAsync<long>("SELECT version FROM directory_version", transaction: transaction).ConfigureAwait(false);
        var networks = await connection.QueryAsync<DirectoryNetwork>(
            "SELECT account_id AS AccountId, network AS Network FROM ip_rules", transaction: transaction).ConfigureAwait(false);
        var users = await connection.QueryAsync<DirectoryUser>(
            "SELECT account_id AS AccountId, address AS Address, password_hash AS PasswordHash FROM users WHERE disabled = 0 ORDER BY account_id, address",
            transaction: transaction).ConfigureAwait(false);
        var accounts = await connection.QueryAsync<(string Id, string? Country, long RelaxedNumbers, long MaxParts)>(
            "SELECT id, country, relaxed_numbers, max_parts FROM accounts", transaction: transaction).ConfigureAwait(false);
        return new SenderDirectorySnapshot(version, users, networks, accounts.Select(r => new Account(r.Id, r.Country, r.RelaxedNumbers != 0, (int)r.MaxParts)));
    }

    public override void Dispose()
    {
        lock (_versionGate)
        {
            _versionQuery?.Dispose();
            _connection?.Dispose();
            (_versionQuery, _connection) = (null, null);
        }

        base.Dispose();
    }
}
