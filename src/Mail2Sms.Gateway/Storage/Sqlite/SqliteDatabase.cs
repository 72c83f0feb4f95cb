using System.Runtime.CompilerServices;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Mail2Sms.Gateway.Storage.Sqlite;

/// <summary>
/// The SQLite file: WAL journal, <c>synchronous=FULL</c> (a commit is on disk before it returns),
/// foreign keys on, and the schema brought up to date from the embedded migrations.
/// </summary>
public sealed class SqliteDatabase
{
    private readonly string _connectionString;

    public SqliteDatabase(string connectionString)
    {
        // Default Timeout bounds Microsoft.Data.Sqlite's own retries of a busy database (150 ms sleeps); SQLite's
        // busy timeout, set on each handle below, is what makes a writer wait for the lock only as long as it is held.
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = true, ForeignKeys = true, DefaultTimeout = 10 };
        if (builder.Mode != SqliteOpenMode.Memory && builder.DataSource is { Length: > 0 } file && file != ":memory:")
        {
            // Made here, 0600 in a 0700 folder, before SQLite would make it 0644: it holds password and key hashes.
            // SQLite gives its -wal and -shm files the database file's mode.
            PrivateFiles.CreateFile(file);
        }

        _connectionString = builder.ToString();
    }

    // One writer at a time within the process, waiting in turn: SQLite's own answer to a second writer
    // (SQLITE_BUSY, retried after a sleep) would stall an email's commit behind the dispatcher's writes.
    // The turn is a token in a channel of one: waiting readers take it in the order they came.
    private readonly System.Threading.Channels.Channel<bool> _writes = CreateTurns();

    private static System.Threading.Channels.Channel<bool> CreateTurns()
    {
        var turns = System.Threading.Channels.Channel.CreateBounded<bool>(1);
        turns.Writer.TryWrite(true);
        return turns;
    }

    /// <summary>
    /// Waits for this process's turn to write, held until the returned scope is disposed: take it before
    /// a write transaction (or a lone write statement) begins, and dispose it after the commit.
    /// Another process writing is still answered by SQLite's busy timeout.
    /// </summary>
    public async Task<IDisposable> WriteTurnAsync(CancellationToken cancellationToken = default)
    {
        await _writes.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new Turn(_writes.Writer);
    }

    private sealed class Turn(System.Threading.Channels.ChannelWriter<bool> writes) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                writes.TryWrite(true);
            }
        }
    }

    // The SQLite handles already set up: a pooled connection keeps its handle and its settings.
    private readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> _setUp = [];

    /// <summary>
    /// An open connection. <c>synchronous=FULL</c> is set on every SQLite handle the first time it opens (a
    /// connection new to the pool must not commit with less), and a busy timeout for a lock held by another
    /// process (an operator's verb) or by a write outside the turns: without one, Microsoft.Data.Sqlite sleeps
    /// 150 ms before it tries again, however soon the lock is free.
    /// </summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (!_setUp.TryGetValue(connection.Handle!, out _))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000;";
            command.ExecuteNonQuery();
            _setUp.AddOrUpdate(connection.Handle!, this);
        }

        return connection;
    }

    /// <summary>Applies every embedded migration not yet applied, each in its own transaction; returns how many ran.</summary>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync("PRAGMA journal_mode = WAL;").ConfigureAwait(false);
        await connection.ExecuteAsync(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL)").ConfigureAwait(false);
        var applied = (await connection.QueryAsync<string>("SELECT version FROM schema_migrations").ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        var count = 0;
        foreach (var (version, sql) in EmbeddedMigrations.Pending("Sqlite", applied))
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync(sql, transaction: transaction).ConfigureAwait(false);
            await connection.ExecuteAsync("INSERT INTO schema_migrations (version, applied_at) VALUES (@version, @at)",
                new { version, at = Timestamps.Write(DateTimeOffset.UtcNow) }, transaction).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            count++;
        }

        return count;
    }
}
