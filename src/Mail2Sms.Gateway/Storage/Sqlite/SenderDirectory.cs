using System.Net;
using Dapper;
using Mail2Sms.Core.Intake;
using Microsoft.Data.Sqlite;

namespace Mail2Sms.Gateway.Storage.Sqlite;

/// <summary>
/// Who may send, in memory: every enabled user with its account's networks, and every account's
/// rules. Every email asks it twice (at <c>MAIL FROM</c> and after <c>DATA</c>); asking the database
/// each time cost more than the rest of intake. Each question first reads <c>directory_version</c>
/// (one prepared statement on a connection kept open), which triggers move on any change of users,
/// networks or account rules by any process, and reloads the copy when it moved: an operator's change
/// counts from the next email on, exactly as when every question went to the database.
/// </summary>
internal sealed class SenderDirectory(SqliteDatabase database) : IDisposable
{
    private readonly Lock _versionGate = new();
    private readonly SemaphoreSlim _reloadGate = new(1, 1);
    private SqliteConnection? _connection;
    private SqliteCommand? _versionQuery;
    private Snapshot? _snapshot;

    /// <summary>The users an address could be: the exact address and its domain's <c>*@domain</c> pattern, by account then address.</summary>
    public async Task<IReadOnlyList<SenderCandidate>> CandidatesAsync(string address, CancellationToken cancellationToken)
    {
        var normalized = address.Trim().ToLowerInvariant();
        var at = normalized.LastIndexOf('@');
        var snapshot = await CurrentAsync(cancellationToken).ConfigureAwait(false);
        var exact = snapshot.Users.GetValueOrDefault(normalized, []);
        var pattern = at < 0 ? [] : snapshot.Users.GetValueOrDefault(string.Concat("*", normalized.AsSpan(at)), []);
        if (pattern.Length == 0)
        {
            return exact;
        }

        return exact.Concat(pattern)
            .OrderBy(c => c.AccountId, StringComparer.Ordinal).ThenBy(c => c.Address, StringComparer.Ordinal).ToList();
    }

    /// <summary>The rules of an account for Core's decision, or null when there is no such account.</summary>
    public async Task<Account?> AccountAsync(string id, CancellationToken cancellationToken) =>
        (await CurrentAsync(cancellationToken).ConfigureAwait(false)).Accounts.GetValueOrDefault(id);

    private async Task<Snapshot> CurrentAsync(CancellationToken cancellationToken)
    {
        var version = await ReadVersionAsync(cancellationToken).ConfigureAwait(false);
        if (_snapshot is { } current && current.Version == version)
        {
            return current;
        }

        // Off the socket's thread (a reload of a large directory takes a while), then one caller reloads.
        await Task.Yield();
        await _reloadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another caller may have reloaded while this one waited; one that is newer still serves.
            if (_snapshot is not { } loaded || loaded.Version < version)
            {
                _snapshot = loaded = await LoadAsync(cancellationToken).ConfigureAwait(false);
            }

            return loaded;
        }
        finally
        {
            _reloadGate.Release();
        }
    }

    private async Task<long> ReadVersionAsync(CancellationToken cancellationToken)
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
    private async Task<Snapshot> LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: true);
        var version = await connection.ExecuteScalarAsync<long>("SELECT version FROM directory_version", transaction: transaction).ConfigureAwait(false);
        var networks = (await connection.QueryAsync<(string AccountId, string Network)>(
                "SELECT account_id, network FROM ip_rules", transaction: transaction).ConfigureAwait(false))
            .ToLookup(r => r.AccountId, r => IPNetwork.Parse(r.Network), StringComparer.Ordinal);
        var users = (await connection.QueryAsync<(string AccountId, string Address, string? Hash)>(
                "SELECT account_id, address, password_hash FROM users WHERE disabled = 0 ORDER BY account_id, address", transaction: transaction).ConfigureAwait(false))
            .GroupBy(r => r.Address, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(r => new SenderCandidate(r.AccountId, r.Address, r.Hash, networks[r.AccountId].ToList())).ToArray(), StringComparer.Ordinal);
        var accounts = (await connection.QueryAsync<(string Id, string? Country, long RelaxedNumbers, long MaxParts)>(
                "SELECT id, country, relaxed_numbers, max_parts FROM accounts", transaction: transaction).ConfigureAwait(false))
            .ToDictionary(r => r.Id, r => new Account(r.Id, r.Country, r.RelaxedNumbers != 0, (int)r.MaxParts), StringComparer.Ordinal);
        return new Snapshot(version, users, accounts);
    }

    public void Dispose()
    {
        lock (_versionGate)
        {
            _versionQuery?.Dispose();
            _connection?.Dispose();
            (_versionQuery, _connection) = (null, null);
        }

        _reloadGate.Dispose();
    }

    private sealed record Snapshot(long Version, Dictionary<string, SenderCandidate[]> Users, Dictionary<string, Account> Accounts);
}
