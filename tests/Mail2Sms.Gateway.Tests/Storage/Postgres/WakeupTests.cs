using Mail2Sms.Gateway.Storage;
using Mail2Sms.Gateway.Tests.Storage.Contracts;
using Mail2Sms.Tests.Shared;
using Npgsql;

namespace Mail2Sms.Gateway.Tests.Storage.Postgres;

/// <summary>Wake-up hints between two nodes' storages on one PostgreSQL database, over LISTEN/NOTIFY.</summary>
public sealed class WakeupTests : IAsyncLifetime
{
    private ContractStorage _contract = null!;
    private IStorage? _listening;
    private int _woken;

    public async Task InitializeAsync() => _contract = await ContractStorage.OpenAsync("postgres");

    public async Task DisposeAsync()
    {
        if (_listening is not null)
        {
            await _listening.DisposeAsync();
        }

        await _contract.DisposeAsync();
    }

    private int Woken => Volatile.Read(ref _woken);

    // The second node, listening until the test ends.
    private async Task ListeningNodeAsync()
    {
        _listening = _contract.OpenSecond();
        await _listening.Wakeups.ListenAsync(WakeupTopics.Sms, () => Interlocked.Increment(ref _woken));
    }

    [Fact]
    public async Task A_notify_on_one_node_wakes_the_listener_on_another()
    {
        await ListeningNodeAsync();
        var before = Woken;

        _contract.Storage.Wakeups.Notify(WakeupTopics.Sms);

        await Waits.UntilAsync(() => Woken > before, "the other node woken");
    }

    [Fact]
    public async Task A_listener_whose_connection_is_killed_connects_again_looks_at_once_and_hears_the_next_notify()
    {
        await ListeningNodeAsync();
        var before = Woken;

        await using (var admin = await AdminAsync())
        {
            await using var kill = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()", admin);
            Assert.Equal(1L, await kill.ExecuteScalarAsync());
        }

        // Hints may have been lost while it was down: connected again, it wakes its listeners once.
        await Waits.UntilAsync(() => Woken > before, "the listener back");
        var back = Woken;
        _contract.Storage.Wakeups.Notify(WakeupTopics.Sms);
        await Waits.UntilAsync(() => Woken > back, "the next notify heard");
    }

    private async Task<NpgsqlConnection> AdminAsync()
    {
        var database = ((Gateway.Storage.Postgres.PostgresStorage)_contract.Storage).Database.DatabaseName;
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(await PostgresServer.AdminConnectionAsync()) { Database = database }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}
