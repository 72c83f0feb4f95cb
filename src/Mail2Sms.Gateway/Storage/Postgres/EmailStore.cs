using Mail2Sms.Core.Intake;
using Npgsql;

namespace Mail2Sms.Gateway.Storage.Postgres;

/// <summary>
/// The email committer over PostgreSQL. Emails arriving together are committed together, by a few commit loops at once:
/// one round trip sends a group's whole work (its accounts locked in order, then one statement per email that does
/// everything for it), a second commits. An email's statement debits only when the account can pay, no recipient was
/// served within the resend window and its CSV name is new; its SMS, failures and recipients go in as arrays, so a CSV of
/// 100,000 rows is one statement, not 100,000.
/// </summary>
public sealed class EmailStore(PostgresDatabase database, TimeProvider clock) : IEmailCommitter
{
    // Several loops commit in parallel (each on a connection of its own); each takes what waits, up to a group.
    private readonly EmailCommitQueue _queue = new(committers: 4, largestGroup: 64);

    /// <inheritdoc />
    public async Task RecordRejectionAsync(RejectedEmail rejected, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        var now = clock.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("DELETE FROM rejected_emails WHERE received_at < $1") { Parameters = { Value(now - IEmailCommitter.RejectionsKept) } },
                new NpgsqlBatchCommand(
                    """
                    INSERT INTO rejected_emails (received_at, account_id, message_id, originator, mail_from, client_ip, recipients, subject, reason, reply)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                    """)
                {
                    Parameters =
                    {
                        Value(now), Value(rejected.AccountId), Value(rejected.MessageId), Value(rejected.Originator), Value(rejected.MailFrom), Value(rejected.ClientIp),
                        Value(DashboardRows.RecipientsColumn(rejected.Recipients)), Value(rejected.Subject), Value(rejected.Reason), Value(rejected.Reply),
                    },
                },
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlySet<string>> AlreadyServedAsync(string accountId, string? messageId, IEnumerable<string> recipients, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(messageId))
        {
            return new HashSet<string>();
        }

        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var served = await connection.RowsAsync<string>(
            "SELECT recipient FROM email_recipients WHERE account_id = @accountId AND message_id = @messageId AND received_at >= @since AND recipient = ANY(@recipients)",
            new { accountId, messageId, since = clock.GetUtcNow() - IEmailCommitter.ResendWindow, recipients = recipients.Select(Recipient.ResendKey).ToArray() })
            .ConfigureAwait(false);
        return served.ToHashSet(StringComparer.Ordinal);
    }

    /// <inheritdoc />
    /// <remarks>Two nodes given the same email at once commit it once: each group first locks its accounts' rows, so the second sees the first's recipients.</remarks>
    public Task<AcceptOutcome> AcceptAsync(
        ReceivedEmail email, Acceptance acceptance, OutboundMail? report = null, Func<LowCreditWarning, OutboundMail>? warn = null,
        CancellationToken cancellationToken = default) =>
        _queue.CommitAsync(new PendingAccept(email, acceptance, report, warn), CommitGroupAsync, cancellationToken);

    private async Task CommitGroupAsync(List<PendingAccept> group)
    {
        try
        {
            await CommitAsync(group).ConfigureAwait(false);
        }
        catch (Exception) when (group.Count > 1)
        {
            // One email's failure would fail its whole group: each is committed alone instead, so only it fails.
            foreach (var pending in group)
            {
                try
                {
                    await CommitAsync([pending]).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    pending.Done.TrySetException(e);
                }
            }
        }
    }

    private async Task CommitAsync(List<PendingAccept> group)
    {
        var now = clock.GetUtcNow();
        await using var connection = await database.OpenAsync().ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        var decided = new List<(PendingAccept Pending, Committed Row)>(group.Count);
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            // Rows locked in one order by every node, so no two groups wait for each other.
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT id FROM accounts WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE")
            {
                Parameters = { Value(group.Select(p => p.Email.AccountId).Distinct(StringComparer.Ordinal).ToArray()) },
            });
            foreach (var pending in group)
            {
                batch.BatchCommands.Add(AcceptCommand(pending, now));
            }

            await using var reader = await batch.ExecuteReaderAsync().ConfigureAwait(false);
            await reader.NextResultAsync().ConfigureAwait(false);
            foreach (var pending in group)
            {
                await reader.ReadAsync().ConfigureAwait(false);
                decided.Add((pending, new Committed(
                    reader.IsDBNull(0) ? null : reader.GetInt64(0),
                    reader.IsDBNull(1) ? 0 : reader.GetInt64(1),
                    reader.IsDBNull(2) ? 0 : reader.GetInt64(2),
                    reader.GetFieldValue<string[]>(3),
                    reader.GetBoolean(4),
                    reader.IsDBNull(5) ? null : reader.GetInt64(5),
                    reader.GetFieldValue<long[]>(6))));
                await reader.NextResultAsync().ConfigureAwait(false);
            }
        }

        var outcomes = new List<(PendingAccept Pending, AcceptOutcome Outcome)>(group.Count);
        await using (var followUps = new NpgsqlBatch(connection, transaction))
        {
            foreach (var (pending, row) in decided)
            {
                var outcome = await DecideAsync(connection, transaction, followUps, pending, row, now).ConfigureAwait(false);
                outcomes.Add((pending, outcome));
            }

            if (followUps.BatchCommands.Count > 0)
            {
                await followUps.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync().ConfigureAwait(false);
        foreach (var (pending, outcome) in outcomes)
        {
            pending.Done.TrySetResult(outcome);
        }
    }

    /// <summary>What an email's statement did: its ID when it was accepted, the balance after the debit and the account's warning level, the recipients already served, whether its CSV name was used, the credits before, its SMS' IDs.</summary>
    private sealed record Committed(long? EmailId, long Balance, long Level, string[] Served, bool CsvUsed, long? Credits, long[] SmsIds);

    // The outcome of one email; what it still needs inside the transaction (warnings, an API answer kept) goes into follow-ups.
    private static async Task<AcceptOutcome> DecideAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, NpgsqlBatch followUps, PendingAccept pending, Committed row, DateTimeOffset now)
    {
        var (email, acceptance) = (pending.Email, pending.Acceptance);
        if (row.Served.Length > 0)
        {
            return new AcceptOutcome(null, null, 0, row.Served.ToHashSet(StringComparer.Ordinal));
        }

        if (row.EmailId is not { } emailId)
        {
            var available = row.Credits ?? throw new StoreException($"There is no account {email.AccountId}.");
            return available < acceptance.Credits || !row.CsvUsed ? EmailCommits.CannotPay(acceptance.Credits, available) : EmailCommits.CsvDuplicate(acceptance.CsvFileName!, available);
        }

        if (pending.Warn is { } warn && EmailCommits.CrossesWarningLevel(row.Balance, acceptance.Credits, row.Level))
        {
            // A *@domain pattern has no mailbox of its own.
            var users = await connection.RowsAsync<string>(
                "SELECT address FROM users WHERE account_id = @account AND NOT disabled AND address NOT LIKE '*@%' ORDER BY address",
                new { account = email.AccountId }, transaction).ConfigureAwait(false);
            foreach (var recipient in EmailCommits.WarningRecipients(users, email.Originator))
            {
                followUps.BatchCommands.Add(QueueMail(warn(new LowCreditWarning(email.AccountId, recipient, row.Balance, row.Level, email.Subject, acceptance.Credits)), emailId, now));
            }
        }

        var answer = email.Answer?.Compose(row.SmsIds, row.Balance);
        if (email.Answer is { Key: { } key } request)
        {
            followUps.BatchCommands.Add(new NpgsqlBatchCommand("UPDATE api_idempotency SET status = $1, body = $2 WHERE account_id = $3 AND key = $4")
            {
                Parameters = { Value(request.Status), Value(answer), Value(email.AccountId), Value(key) },
            });
        }

        return new AcceptOutcome(emailId, null, row.Balance) { Answer = answer };
    }

    // One email's whole commit in one statement: every insert hangs off the debit, which happens only when the email is to be accepted.
    private const string AcceptSql =
        """
        WITH served AS (
            SELECT coalesce(array_agg(recipient), '{}') AS recipients FROM email_recipients
            WHERE account_id = @account AND message_id = @message_id AND received_at >= @resend_since AND recipient = ANY(@recipients)),
        used_csv AS (
            SELECT EXISTS (SELECT 1 FROM emails WHERE account_id = @account AND csv_file_name = @csv) AS used),
        debit AS (
            UPDATE accounts SET credits = credits - @cost
            WHERE id = @account AND credits >= @cost AND cardinality((SELECT recipients FROM served)) = 0 AND NOT (SELECT used FROM used_csv)
            RETURNING credits, low_credit_warning),
        email AS (
            INSERT INTO emails (account_id, message_id, originator, mail_from, source, client_ip, format, subject, size_bytes, csv_file_name, credits, received_at, failure_count, user_id)
            SELECT @account, @message_id, @originator, @mail_from, @source, @client_ip, @format, @subject, @size, @csv, @cost, @now, @failure_count,
                (SELECT id FROM users WHERE account_id = @account AND address = @user)
            FROM debit RETURNING id),
        queued AS (
            INSERT INTO sms (email_id, account_id, number, name, text, encoding, parts, priority, status, due_at, created_at)
            SELECT email.id, @account, m.number, m.name, m.text, m.encoding, m.parts, @priority, 'queued', @now, @now
            FROM email CROSS JOIN unnest(@numbers, @names, @texts, @encodings, @parts) WITH ORDINALITY AS m (number, name, text, encoding, parts, position)
            ORDER BY m.position RETURNING id),
        failed AS (
            INSERT INTO email_failures (email_id, position, location, code, reason)
            SELECT email.id, f.position - 1, f.location, f.code, f.reason
            FROM email CROSS JOIN unnest(@failure_locations, @failure_codes, @failure_reasons) WITH ORDINALITY AS f (location, code, reason, position)),
        remembered AS (
            INSERT INTO email_recipients (account_id, message_id, recipient, email_id, received_at)
            SELECT @account, @message_id, r.recipient, email.id, @now FROM email CROSS JOIN unnest(@recipients) AS r (recipient) WHERE @message_id IS NOT NULL
            ON CONFLICT (account_id, message_id, recipient) DO UPDATE SET email_id = excluded.email_id, received_at = excluded.received_at),
        ledger AS (
            INSERT INTO credit_ledger (account_id, delta, balance, reason, at)
            SELECT @account, -@cost, debit.credits, 'email ' || email.id, @now FROM debit CROSS JOIN email),
        report AS (
            INSERT INTO outbound_mail (kind, email_id, mail_from, rcpt_to, message, message_id, status, created_at, due_at)
            SELECT @report_kind, email.id, @report_from, @report_to, @report_message, @report_message_id, 'queued', @now, @now FROM email WHERE @report_kind IS NOT NULL)
        SELECT (SELECT id FROM email), (SELECT credits FROM debit), (SELECT low_credit_warning FROM debit), (SELECT recipients FROM served),
            (SELECT used FROM used_csv), (SELECT credits FROM accounts WHERE id = @account), ARRAY(SELECT id FROM queued ORDER BY id)
        """;

    private static NpgsqlBatchCommand AcceptCommand(PendingAccept pending, DateTimeOffset now)
    {
        var (email, acceptance, report) = (pending.Email, pending.Acceptance, pending.Report);
        var messages = acceptance.Messages;
        var failures = acceptance.Failures;
        // A row older than the resend window is replaced: the same Message-ID a day later is a new email.
        var recipients = string.IsNullOrEmpty(email.MessageId) ? [] : email.Recipients.Select(Recipient.ResendKey).Distinct(StringComparer.Ordinal).ToArray();
        return new NpgsqlBatchCommand(AcceptSql)
        {
            Parameters =
            {
                Named("account", email.AccountId),
                Named("message_id", string.IsNullOrEmpty(email.MessageId) ? null : email.MessageId),
                Named("resend_since", now - IEmailCommitter.ResendWindow),
                Named("recipients", recipients),
                Named("csv", acceptance.CsvFileName),
                Named("cost", acceptance.Credits),
                Named("originator", email.Originator),
                Named("mail_from", email.MailFrom),
                Named("source", IntakeSourceColumn.Write(email.Source)),
                Named("client_ip", email.ClientIp),
                Named("format", (int)email.Format),
                Named("subject", email.Subject),
                Named("size", email.SizeBytes),
                Named("now", now),
                Named("failure_count", acceptance.FailureCount),
                Named("user", email.User),
                Named("priority", EmailCommits.Priority(email.Format)),
                Named("numbers", messages.Select(m => m.Number).ToArray()),
                Named("names", messages.Select(m => m.Name).ToArray()),
                Named("texts", messages.Select(m => m.Text.Text).ToArray()),
                Named("encodings", messages.Select(m => m.Text.Encoding.ToString()).ToArray()),
                Named("parts", messages.Select(m => m.Text.PartCount).ToArray()),
                Named("failure_locations", failures.Select(f => f.Where).ToArray()),
                Named("failure_codes", failures.Select(f => f.Reason.Code.ToString()).ToArray()),
                Named("failure_reasons", failures.Select(f => f.Reason.Text).ToArray()),
                Named("report_kind", report?.Kind),
                Named("report_from", report?.MailFrom),
                Named("report_to", report?.RcptTo),
                Named("report_message", report?.ToBytes()),
                Named("report_message_id", report?.Message.MessageId),
            },
        };
    }

    private static NpgsqlBatchCommand QueueMail(OutboundMail mail, long emailId, DateTimeOffset now) => new(
        """
        INSERT INTO outbound_mail (kind, email_id, mail_from, rcpt_to, message, message_id, status, created_at, due_at)
        VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $7)
        """)
    {
        Parameters = { Value(mail.Kind), Value(emailId), Value(mail.MailFrom), Value(mail.RcptTo), Value(mail.ToBytes()), Value(mail.Message.MessageId), Value(now) },
    };

    // Typed parameters: a null keeps its type, and the statement's parameter types stay the same from email to email.
    private static NpgsqlParameter<T> Value<T>(T value) => new() { TypedValue = value };

    private static NpgsqlParameter<T> Named<T>(string name, T value) => new(name, value);
}
