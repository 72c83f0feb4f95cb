using System.Data;
using Dapper;
using Mail2Sms.Core.Intake;

namespace Mail2Sms.Gateway.Storage.Postgres;

/// <summary>
/// The sender directory's copy on PostgreSQL. <c>directory_version</c> is moved by statement triggers on any node's
/// change (0001_schema.sql), so an operator's change on one node counts on every other from its next email.
/// </summary>
internal sealed class PostgresSenderDirectory(PostgresDatabase database) : SenderDirectoryCopy
{
    protected override async Task<long> ReadVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>("SELECT version FROM directory_version").ConfigureAwait(false);
    }

    // One snapshot (repeatable read, read only): the version and the rows it counts are seen together.
    protected override async Task<SenderDirectorySnapshot> LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        var version = await connection.ExecuteScalarAsync<long>("SELECT version FROM directory_version", transaction: transaction).ConfigureAwait(false);
        var networks = await connection.RowsAsync<DirectoryNetwork>(
            "SELECT account_id AS AccountId, network AS Network FROM ip_rules", transaction: transaction).ConfigureAwait(false);
        var users = await connection.RowsAsync<DirectoryUser>(
            "SELECT account_id AS AccountId, address AS Address, password_hash AS PasswordHash FROM users WHERE NOT disabled ORDER BY account_id COLLATE \"C\", address COLLATE \"C\"",
            transaction: transaction).ConfigureAwait(false);
        var accounts = await connection.RowsAsync<(string Id, string? Country, bool RelaxedNumbers, int MaxParts)>(
            "SELECT id, country, relaxed_numbers, max_parts FROM accounts", transaction: transaction).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new SenderDirectorySnapshot(version, users, networks, accounts.Select(r => new Account(r.Id, r.Country, r.RelaxedNumbers, r.MaxParts)));
    }
}
