using System.Collections.Concurrent;
using Dapper;
using Npgsql;

namespace Mail2Sms.Gateway.Storage.Postgres;

/// <summary>
/// Wake-up hints over PostgreSQL's <c>LISTEN/NOTIFY</c>: one dedicated connection per node, outside the pool, listens on one channel (the
/// topic is the payload) and is made again when it drops; a notify is sent from a pooled connection after the work was
/// committed, never inside a transaction, at most one in flight and one waiting per topic however many come.
/// </summary>
public sealed class Wakeups(PostgresDatabase database) : IWakeups, IAsyncDisposable
{
    private const string Channel = "mail2sms_wakeups";

    // How long the listener waits for a notification before it checks its connection with LISTEN again, and waits to connect again after one dropped.
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Reconnect = TimeSpan.FromSeconds(1);

    private readonly LocalWakeups _local = new();
    private readonly ConcurrentDictionary<string, Sending> _sending = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _listener;

    public void Notify(string topic)
    {
        _local.Wake(topic);
        var sending = _sending.GetOrAdd(topic, _ => new Sending());
        // A send that has not begun yet covers this notify too.
        if (Interlocked.Exchange(ref sending.Pending, 1) == 0)
        {
            _ = SendAsync(topic, sending);
        }
    }

    public async Task ListenAsync(string topic, Action wake, CancellationToken cancellationToken = default)
    {
        await _local.ListenAsync(topic, wake, cancellationToken).ConfigureAwait(false);
        Task listening;
        lock (_gate)
        {
            _listener ??= Task.Run(ListenLoopAsync, CancellationToken.None);
            listening = _listening.Task;
        }

        await listening.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task SendAsync(string topic, Sending sending)
    {
        try
        {
            await sending.Turn.WaitAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            return;
        }

        try
        {
            Volatile.Write(ref sending.Pending, 0);
            await using var connection = await database.OpenAsync(_stop.Token).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_notify(@channel, @topic)", new { channel = Channel, topic }, cancellationToken: _stop.Token)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or ObjectDisposedException or InvalidOperationException or TimeoutException)
        {
            // A hint lost: the other nodes' polling finds the work.
        }
        finally
        {
            sending.Turn.Release();
        }
    }

    private async Task ListenLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.OpenUnpooledAsync(_stop.Token).ConfigureAwait(false);
                connection.Notification += (_, e) => _local.Wake(e.Payload);
                await ListenAsync(connection).ConfigureAwait(false);
                // Hints sent while this node did not listen (starting, or its connection down) are lost: every listener looks now.
                _local.Wake(null);
                _listening.TrySetResult();
                while (true)
                {
                    if (!await connection.WaitAsync(Quiet, _stop.Token).ConfigureAwait(false))
                    {
                        await ListenAsync(connection).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception e) when ((e is NpgsqlException or TimeoutException or InvalidOperationException or System.IO.IOException) && !_stop.IsCancellationRequested)
            {
                lock (_gate)
                {
                    if (_listening.Task.IsCompleted)
                    {
                        _listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    }
                }

                await Task.Delay(Reconnect, _stop.Token).ConfigureAwait(false);
            }
        }
    }

    private Task<int> ListenAsync(NpgsqlConnection connection) =>
        connection.ExecuteAsync(new CommandDefinition($"LISTEN {Channel}", cancellationToken: _stop.Token));

    /// <summary>Stops listening and closes the listening connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_listener is not null)
        {
            try
            {
                await _listener.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped while waiting, as asked.
            }
        }

        _stop.Dispose();
    }

    private sealed class Sending
    {
        public int Pending;

        public SemaphoreSlim Turn { get; } = new(1, 1);
    }
}
