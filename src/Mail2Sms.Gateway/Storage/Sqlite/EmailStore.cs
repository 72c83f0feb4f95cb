using Dapper;
using Mail2Sms.Core.Intake;
using Microsoft.Data.Sqlite;

namespace Mail2Sms.Gateway.Storage.Sqlite;

/// <summary>The email committer over SQLite: accepted emails arriving together are committed together (group commit).</summary>
public sealed class EmailStore(SqliteDatabase database, TimeProvider clock) : IEmailCommitter
{
    /// <inheritdoc />
    public async Task RecordRejectionAsync(RejectedEmail rejected, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        var now = clock.GetUtcNow();
        using var writing = await database.WriteTurnAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            """
            DELETE FROM rejected_emails WHERE received_at < @cutoff;
            INSERT INTO rejected_emails (received_at, account_id, message_id, originator, mail_from, client_ip, recipients, subject, reason, reply)
            VALUES (@at, @AccountId, @MessageId, @Originator, @MailFrom, @ClientIp, @recipients, @Subject, @Reason, @Reply)
            """,
            new
            {
                cutoff = Timestamps.Write(now - IEmailCommitter.RejectionsKept),
                at = Timestamps.Write(now),
                rejected.AccountId,
                rejected.MessageId,
                rejected.Originator,
                rejected.MailFrom,
                rejected.ClientIp,
                recipients = DashboardRows.RecipientsColumn(rejected.Recipients),
                rejected.Subject,
                rejected.Reason,
                rejected.Reply,
            }).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlySet<string>> AlreadyServedAsync(string accountId, string? messageId, IEnumerable<string> recipients, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(messageId))
        {
            return new HashSet<string>();
        }

        var since = Timestamps.Write(clock.GetUtcNow() - IEmailCommitter.ResendWindow);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var served = await connection.QueryAsync<string>(
            "SELECT recipient FROM email_recipients WHERE account_id = @accountId AND message_id = @messageId AND received_at >= @since AND recipient IN @recipients",
            new { accountId, messageId, since, recipients = recipients.Select(Recipient.ResendKey).ToList() }).ConfigureAwait(false);
        return served.ToHashSet(StringComparer.Ordinal);
    }

    private readonly EmailCommitQueue _queue = new(committers: 1, largestGroup: 512);
    private CommitStatements? _statements;

    /// <inheritdoc />
    /// <remarks>Each email of a group commit in a savepoint of its own: one refused or failing leaves the others whole.</remarks>
    public Task<AcceptOutcome> AcceptAsync(
        ReceivedEmail email, Acceptance acceptance, OutboundMail? report = null, Func<LowCreditWarning, OutboundMail>? warn = null,
        CancellationToken cancellationToken = default) =>
        _queue.CommitAsync(new PendingAccept(email, acceptance, report, warn), CommitGroupAsync, cancellationToken);

    // One commit loop, whose connection with its statements prepared serves group after group; a failure starts afresh.
    private async Task CommitGroupAsync(List<PendingAccept> group)
    {
        try
        {
            _statements ??= new CommitStatements(await database.OpenAsync().ConfigureAwait(false));
            using (await database.WriteTurnAsync().ConfigureAwait(false))
            {
                CommitBatch(_statements, group);
            }
        }
        catch
        {
            _statements?.Dispose();
            _statements = null;
            throw;
        }
    }

    // SQLite answers at once (its async methods are synchronous), so the commit loop calls it directly.
    private void CommitBatch(CommitStatements sql, List<PendingAccept> batch)
    {
        var outcomes = new List<(PendingAccept Pending, AcceptOutcome Outcome)>(batch.Count);
        var now = clock.GetUtcNow();
        var (at, resendSince) = (Timestamps.Write(now), Timestamps.Write(now - IEmailCommitter.ResendWindow));
        using (var transaction = sql.Begin())
        {
            foreach (var pending in batch)
            {
                // Each email in a savepoint: a refused or failing one leaves the others of the batch whole.
                sql.Savepoint();
                try
                {
                    var outcome = AcceptWithin(sql, pending, at, resendSince);
                    if (outcome.EmailId is null)
                    {
                        sql.RollbackToSavepoint();
                    }
                    else
                    {
                        sql.ReleaseSavepoint();
                    }

                    outcomes.Add((pending, outcome));
                }
                catch (Exception e)
                {
                    sql.RollbackToSavepoint();
                    pending.Done.TrySetException(e);
                }
            }

            transaction.Commit();
        }

        foreach (var (pending, outcome) in outcomes)
        {
            pending.Done.TrySetResult(outcome);
        }
    }

    private static AcceptOutcome AcceptWithin(CommitStatements sql, PendingAccept pending, string now, string resendSince)
    {
        var (email, acceptance, report) = (pending.Email, pending.Acceptance, pending.Report);
        if (!string.IsNullOrEmpty(email.MessageId))
        {
            // Checked here, under the write lock, so that two copies of one email arriving together are one email.
            var served = sql.Served(email.AccountId, email.MessageId, resendSince);
            var resent = email.Recipients.Select(Recipient.ResendKey).Where(served.Contains).ToHashSet(StringComparer.Ordinal);
            if (resent.Count > 0)
            {
                return new AcceptOutcome(null, null, 0, resent);
            }
        }

        var cost = acceptance.Credits;
        if (sql.Debit(email.AccountId, cost) is not (var balance, var level))
        {
            return EmailCommits.CannotPay(cost, sql.Credits(email.AccountId) ?? throw new StoreException($"There is no account {email.AccountId}."));
        }

        long emailId;
        try
        {
            emailId = sql.InsertEmail(email, acceptance.CsvFileName, cost, acceptance.FailureCount, now);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19 && acceptance.CsvFileName is not null)
        {
            return EmailCommits.CsvDuplicate(acceptance.CsvFileName, balance + cost);
        }

        var priority = EmailCommits.Priority(email.Format);
        var smsIds = new List<long>(acceptance.Messages.Count);
        foreach (var sms in acceptance.Messages)
        {
            smsIds.Add(sql.InsertSms(emailId, email.AccountId, sms, priority, now));
        }

        for (var position = 0; position < acceptance.Failures.Count; position++)
        {
            sql.InsertFailure(emailId, position, acceptance.Failures[position]);
        }

        if (!string.IsNullOrEmpty(email.MessageId))
        {
            foreach (var recipient in email.Recipients)
            {
                sql.UpsertRecipient(email.AccountId, email.MessageId, Recipient.ResendKey(recipient), emailId, now);
            }
        }

        sql.InsertLedger(email.AccountId, -cost, balance, $"email {emailId}", now);
        if (report is not null)
        {
            sql.InsertReport(report, emailId, now);
        }

        if (pending.Warn is { } warn && EmailCommits.CrossesWarningLevel(balance, cost, level))
        {
            foreach (var recipient in sql.WarningRecipients(email.AccountId, email.Originator))
            {
                sql.InsertReport(warn(new LowCreditWarning(email.AccountId, recipient, balance, level, email.Subject, cost)), emailId, now);
            }
        }

        var answer = email.Answer?.Compose(smsIds, balance);
        if (email.Answer is { Key: { } key } request)
        {
            sql.KeepAnswer(email.AccountId, key, request.Status, answer!);
        }

        return new AcceptOutcome(emailId, null, balance) { Answer = answer };
    }

    /// <summary>
    /// The commit loop's connection and its statements, prepared once and run for each email with new
    /// values: preparing a statement costs more than running it.
    /// </summary>
    private sealed class CommitStatements : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly List<SqliteCommand> _all = [];
        private readonly SqliteCommand _savepoint;
        private readonly SqliteCommand _release;
        private readonly SqliteCommand _rollback;
        private readonly SqliteCommand _served;
        private readonly SqliteCommand _debit;
        private readonly SqliteCommand _credits;
        private readonly SqliteCommand _email;
        private readonly SqliteCommand _sms;
        private readonly SqliteCommand _failure;
        private readonly SqliteCommand _recipient;
        private readonly SqliteCommand _ledger;
        private readonly SqliteCommand _report;
        private readonly SqliteCommand _users;
        private readonly SqliteCommand _answer;

        public CommitStatements(SqliteConnection connection)
        {
            _connection = connection;
            _savepoint = Prepare("SAVEPOINT email");
            _release = Prepare("RELEASE email");
            _rollback = Prepare("ROLLBACK TO email; RELEASE email");
            _served = Prepare("SELECT recipient FROM email_recipients WHERE account_id = $account AND message_id = $messageId AND received_at >= $since",
                "$account", "$messageId", "$since");
            _debit = Prepare("UPDATE accounts SET credits = credits - $cost WHERE id = $id AND credits >= $cost RETURNING credits, low_credit_warning", "$cost", "$id");
            _credits = Prepare("SELECT credits FROM accounts WHERE id = $id", "$id");
            _email = Prepare(
                """
                INSERT INTO emails (account_id, message_id, originator, mail_from, source, client_ip, format, subject, size_bytes, csv_file_name, credits, received_at, failure_count, user_id)
                VALUES ($account, $messageId, $originator, $mailFrom, $source, $clientIp, $format, $subject, $size, $csv, $cost, $now, $failures,
                    (SELECT id FROM users WHERE account_id = $account AND address = $user)) RETURNING id
                """,
                "$account", "$messageId", "$originator", "$mailFrom", "$source", "$clientIp", "$format", "$subject", "$size", "$csv", "$cost", "$now", "$failures", "$user");
            _sms = Prepare(
                """
                INSERT INTO sms (email_id, account_id, number, name, text, encoding, parts, priority, status, due_at, created_at)
                VALUES ($email, $account, $number, $name, $text, $encoding, $parts, $priority, 'queued', $now, $now) RETURNING id
                """,
                "$email", "$account", "$number", "$name", "$text", "$encoding", "$parts", "$priority", "$now");
            _failure = Prepare("INSERT INTO email_failures (email_id, position, location, code, reason) VALUES ($email, $position, $location, $code, $reason)",
                "$email", "$position", "$location", "$code", "$reason");
            // A row older than the resend window is replaced: the same Message-ID a day later is a new email.
            _recipient = Prepare(
                """
                INSERT INTO email_recipients (account_id, message_id, recipient, email_id, received_at) VALUES ($account, $messageId, $recipient, $email, $now)
                ON CONFLICT (account_id, message_id, recipient) DO UPDATE SET email_id = excluded.email_id, received_at = excluded.received_at
                """,
                "$account", "$messageId", "$recipient", "$email", "$now");
            _ledger = Prepare("INSERT INTO credit_ledger (account_id, delta, balance, reason, at) VALUES ($account, $delta, $balance, $reason, $now)",
                "$account", "$delta", "$balance", "$reason", "$now");
            _report = Prepare(OutboxStore.InsertSql, OutboxStore.InsertParameters);
            // A *@domain pattern has no mailbox of its own.
            _users = Prepare("SELECT address FROM users WHERE account_id = $account AND disabled = 0 AND address NOT LIKE '*@%' ORDER BY address", "$account");
            _answer = Prepare("UPDATE api_idempotency SET status = $status, body = $body WHERE account_id = $account AND key = $key", "$status", "$body", "$account", "$key");
        }

        private SqliteCommand Prepare(string text, params string[] parameters)
        {
            var command = _connection.CreateCommand();
            command.CommandText = text;
            foreach (var name in parameters)
            {
                command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
            }

            command.Prepare();
            _all.Add(command);
            return command;
        }

        private static SqliteCommand With(SqliteCommand command, params object?[] values)
        {
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters[i].Value = values[i] ?? DBNull.Value;
            }

            return command;
        }

        /// <summary>Begins the batch's transaction; every statement runs inside it.</summary>
        public SqliteTransaction Begin()
        {
            var transaction = _connection.BeginTransaction();
            foreach (var command in _all)
            {
                command.Transaction = transaction;
            }

            return transaction;
        }

        public void Savepoint() => _savepoint.ExecuteNonQuery();

        public void ReleaseSavepoint() => _release.ExecuteNonQuery();

        public void RollbackToSavepoint() => _rollback.ExecuteNonQuery();

        public HashSet<string> Served(string account, string messageId, string since)
        {
            using var reader = With(_served, account, messageId, since).ExecuteReader();
            var served = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read())
            {
                served.Add(reader.GetString(0));
            }

            return served;
        }

        /// <summary>The balance after the debit and the account's warning level, or null when the account cannot pay.</summary>
        public (long Balance, long Level)? Debit(string account, long cost)
        {
            using var reader = With(_debit, cost, account).ExecuteReader();
            return reader.Read() ? (reader.GetInt64(0), reader.GetInt64(1)) : null;
        }

        public long? Credits(string account) => With(_credits, account).ExecuteScalar() is long credits ? credits : null;

        public long InsertEmail(ReceivedEmail email, string? csv, long cost, int failures, string now) =>
            (long)With(_email, email.AccountId, email.MessageId, email.Originator, email.MailFrom, IntakeSourceColumn.Write(email.Source), email.ClientIp, (int)email.Format,
                email.Subject, email.SizeBytes, csv, cost, now, failures, email.User).ExecuteScalar()!;

        public long InsertSms(long email, string account, OutboundSms sms, int priority, string now) =>
            (long)With(_sms, email, account, sms.Number, sms.Name, sms.Text.Text, sms.Text.Encoding.ToString(), sms.Text.PartCount, priority, now).ExecuteScalar()!;

        public void KeepAnswer(string account, string key, int status, string body) =>
            With(_answer, status, body, account, key).ExecuteNonQuery();

        public void InsertFailure(long email, int position, RecipientFailure failure) =>
            With(_failure, email, position, failure.Where, failure.Reason.Code.ToString(), failure.Reason.Text).ExecuteNonQuery();

        public void UpsertRecipient(string account, string messageId, string recipient, long email, string now) =>
            With(_recipient, account, messageId, recipient, email, now).ExecuteNonQuery();

        public void InsertLedger(string account, long delta, long balance, string reason, string now) =>
            With(_ledger, account, delta, balance, reason, now).ExecuteNonQuery();

        public void InsertReport(OutboundMail report, long email, string now) =>
            With(_report, OutboxStore.InsertValues(report, email, now)).ExecuteNonQuery();

        /// <summary>Who a low-credit warning goes to (<see cref="EmailCommits.WarningRecipients"/>).</summary>
        public List<string> WarningRecipients(string account, string? originator)
        {
            var users = new List<string>();
            using (var reader = With(_users, account).ExecuteReader())
            {
                while (reader.Read())
                {
                    users.Add(reader.GetString(0));
                }
            }

            return EmailCommits.WarningRecipients(users, originator);
        }

        public void Dispose()
        {
            foreach (var command in _all)
            {
                command.Dispose();
            }

            _connection.Dispose();
        }
    }
}
