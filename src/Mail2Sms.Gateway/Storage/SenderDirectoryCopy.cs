using System.Net;
using Mail2Sms.Core.Intake;

namespace Mail2Sms.Gateway.Storage;

/// <summary>An enabled user as a provider reads it for the sender directory.</summary>
internal sealed record DirectoryUser(string AccountId, string Address, string? PasswordHash);

/// <summary>An allowed network of an account, canonical CIDR, as a provider reads it for the sender directory.</summary>
internal sealed record DirectoryNetwork(string AccountId, string Network);

/// <summary>Who may send at one <c>directory_version</c>: every enabled user by address, with its account's networks, and every account's rules.</summary>
internal sealed class SenderDirectorySnapshot
{
    private readonly Dictionary<string, SenderCandidate[]> _users;
    private readonly Dictionary<string, Account> _accounts;

    /// <param name="version">The <c>directory_version</c> read in the same transaction as the rows.</param>
    /// <param name="users">The enabled users, by account then address.</param>
    /// <param name="networks">Every account's allowed networks.</param>
    /// <param name="accounts">Every account's rules.</param>
    public SenderDirectorySnapshot(long version, IEnumerable<DirectoryUser> users, IEnumerable<DirectoryNetwork> networks, IEnumerable<Account> accounts)
    {
        Version = version;
        var byAccount = networks.ToLookup(n => n.AccountId, n => IPNetwork.Parse(n.Network), StringComparer.Ordinal);
        _users = users.GroupBy(u => u.Address, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(u => new SenderCandidate(u.AccountId, u.Address, u.PasswordHash, byAccount[u.AccountId].ToList())).ToArray(), StringComparer.Ordinal);
        _accounts = accounts.ToDictionary(a => a.Id, StringComparer.Ordinal);
    }

    public long Version { get; }

    /// <summary>The users an address could be: the exact address and its domain's <c>*@domain</c> pattern, by account then address.</summary>
    public IReadOnlyList<SenderCandidate> Candidates(string address)
    {
        var normalized = address.Trim().ToLowerInvariant();
        var at = normalized.LastIndexOf('@');
        var exact = _users.GetValueOrDefault(normalized, []);
        var pattern = at < 0 ? [] : _users.GetValueOrDefault(string.Concat("*", normalized.AsSpan(at)), []);
        if (pattern.Length == 0)
        {
            return exact;
        }

        return exact.Concat(pattern)
            .OrderBy(c => c.AccountId, StringComparer.Ordinal).ThenBy(c => c.Address, StringComparer.Ordinal).ToList();
    }

    /// <summary>The rules of an account for Core's decision, or null when there is no such account.</summary>
    public Account? Account(string id) => _accounts.GetValueOrDefault(id);
}

/// <summary>
/// Who may send, in memory, whatever the provider: every email asks it twice (at <c>MAIL FROM</c> and after
/// <c>DATA</c>), and asking the database each time cost more than the rest of intake. Each question first reads
/// <c>directory_version</c>, which the database's triggers move on any change of users, networks or account rules by
/// any process or node, and reloads the copy when it moved: an operator's change counts from the next email on,
/// exactly as when every question went to the database.
/// </summary>
internal abstract class SenderDirectoryCopy : IDisposable
{
    private readonly SemaphoreSlim _reloadGate = new(1, 1);
    private SenderDirectorySnapshot? _snapshot;

    /// <summary>The users an address could be: the exact address and its domain's <c>*@domain</c> pattern, by account then address.</summary>
    public async Task<IReadOnlyList<SenderCandidate>> CandidatesAsync(string address, CancellationToken cancellationToken) =>
        (await CurrentAsync(cancellationToken).ConfigureAwait(false)).Candidates(address);

    /// <summary>The rules of an account for Core's decision, or null when there is no such account.</summary>
    public async Task<Account?> AccountAsync(string id, CancellationToken cancellationToken) =>
        (await CurrentAsync(cancellationToken).ConfigureAwait(false)).Account(id);

    /// <summary>The directory's version now, read as cheaply as the provider can.</summary>
    protected abstract Task<long> ReadVersionAsync(CancellationToken cancellationToken);

    /// <summary>Every row the directory holds and the version they are at, read together (one transaction).</summary>
    protected abstract Task<SenderDirectorySnapshot> LoadAsync(CancellationToken cancellationToken);

    private async Task<SenderDirectorySnapshot> CurrentAsync(CancellationToken cancellationToken)
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

    public virtual void Dispose() => _reloadGate.Dispose();
}
