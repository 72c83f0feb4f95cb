using Mail2Sms.Gateway.Storage;
using MimeKit;
using MimeKit.Cryptography;

namespace Mail2Sms.Gateway.Mail;

/// <summary>How long a mail that could not be sent for now waits: <see cref="First"/>, doubling up to <see cref="Longest"/>.</summary>
/// <param name="First">The wait after the first failure.</param>
/// <param name="Longest">The longest wait.</param>
public sealed record RetrySchedule(TimeSpan First, TimeSpan Longest)
{
    /// <summary>30 seconds, doubling up to an hour.</summary>
    public static RetrySchedule Default { get; } = new(TimeSpan.FromSeconds(30), TimeSpan.FromHours(1));

    /// <summary>The wait after the <paramref name="failures"/>th failure in a row (1 for the first).</summary>
    public TimeSpan After(long failures)
    {
        var wait = First;
        for (var i = 1; i < failures && wait < Longest; i++)
        {
            wait *= 2;
        }

        return wait < Longest ? wait : Longest;
    }
}

/// <summary>
/// Sends the outbox: each due mail is made ready (marked automatic, DKIM-signed when a key is set) and
/// handed to the transport, then marked sent. A mail refused for now waits its turn again by the
/// <see cref="RetrySchedule"/>; one refused for good is failed with the server's reply; when the
/// destination cannot be reached, the rest waits for the next run. Nothing is ever dropped. Mail taken names the
/// sender's <paramref name="node"/>, when given, so it goes back at once when that node stops or is found dead.
/// </summary>
public sealed class OutboxSender(IOutbox outbox, IMailTransport transport, TimeProvider clock, Action<string> log,
    DkimSigner? signer = null, RetrySchedule? retry = null, long? node = null)
{
    // The headers a DKIM signature covers.
    private static readonly string[] SignedHeaders = ["From", "To", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "Auto-Submitted"];

    /// <summary>How mail is written out and signed: CRLF line ends, as on the wire.</summary>
    public static FormatOptions Format { get; } = CreateFormat();

    /// <summary>
    /// How long a taken mail is this sender's to send before another may take it: longer than a batch of hand-overs takes,
    /// and short, because mail taken by a process that dies unnoticed (no node named) waits this long to go.
    /// </summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    // Mail taken at once: a small batch keeps the lease short and lets reply emails queued meanwhile go in the next.
    private const int Batch = 20;

    private readonly RetrySchedule _retry = retry ?? RetrySchedule.Default;
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Where mail goes, said for the operator.</summary>
    public string Destination => signer is null ? transport.Destination : $"{transport.Destination}, DKIM-signed for {signer.Domain} (selector {signer.Selector})";

    /// <summary>
    /// A signer for <paramref name="domain"/> with the PEM private key at <paramref name="keyPath"/>: rsa-sha256,
    /// relaxed/relaxed. Mail is signed as it leaves, so a new key applies to mail already queued.
    /// </summary>
    public static DkimSigner Signer(string keyPath, string domain, string selector) =>
        new(keyPath, domain, selector, DkimSignatureAlgorithm.RsaSha256)
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        };

    /// <summary>Ends the wait of <see cref="RunAsync"/> at once, for mail just queued.</summary>
    public void Wake() => Volatile.Read(ref _wake).TrySetResult();

    /// <summary>Sends every mail due now; returns how many were sent.</summary>
    public async Task<int> DrainAsync(CancellationToken cancellationToken = default)
    {
        var sent = 0;
        try
        {
            while (await outbox.TakeDueAsync(Batch, Lease, node, cancellationToken).ConfigureAwait(false) is { Count: > 0 } batch)
            {
                var finished = 0;
                try
                {
                    for (; finished < batch.Count; finished++)
                    {
                        var mail = batch[finished];
                        var (outcome, error) = await HandOverAsync(mail, cancellationToken).ConfigureAwait(false);
                        switch (outcome)
                        {
                            case Outcome.Sent:
                                await outbox.MarkSentAsync(mail.Id, cancellationToken).ConfigureAwait(false);
                                sent++;
                                break;
                            case Outcome.Refused:
                                await outbox.MarkFailedAsync(mail.Id, error!, cancellationToken).ConfigureAwait(false);
                                log($"mail {mail.Id} to <{mail.RcptTo}> was refused for good: {error}");
                                break;
                            default:
                                var due = clock.GetUtcNow() + _retry.After(mail.Attempts + 1);
                                await outbox.PutOffAsync(mail.Id, due, error!, cancellationToken).ConfigureAwait(false);
                                log($"mail {mail.Id} to <{mail.RcptTo}> not sent, will be tried again at {due:u}: {error}");
                                if (outcome == Outcome.Unreachable)
                                {
                                    finished++;
                                    return sent;
                                }

                                break;
                        }
                    }
                }
                finally
                {
                    // What was not handed over (the destination is unreachable, or the store failed) is due again at once, as before the lease.
                    if (finished < batch.Count)
                    {
                        await outbox.ReleaseAsync([.. batch.Skip(finished).Select(m => m.Id)], CancellationToken.None).ConfigureAwait(false);
                    }
                }
            }

            return sent;
        }
        finally
        {
            await transport.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends due mail, then waits <paramref name="interval"/> (or for <see cref="Wake"/>), until cancelled.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        while (true)
        {
            // A new wake-up before the run: a Wake() during it ends the wait after it at once.
            var wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _wake, wake);
            try
            {
                await DrainAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log($"sending mail failed, will try again: {e.Message}");
            }

            await Task.WhenAny(wake.Task, Task.Delay(interval, clock, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private async Task<(Outcome Outcome, string? Error)> HandOverAsync(QueuedMail mail, CancellationToken cancellationToken)
    {
        try
        {
            await transport.SendAsync(mail, Ready(mail), cancellationToken).ConfigureAwait(false);
            return (Outcome.Sent, null);
        }
        catch (MailRefusedException e)
        {
            return (e.Permanent ? Outcome.Refused : Outcome.Deferred, e.Message);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return (Outcome.Unreachable, e.Message);
        }
    }

    private MimeMessage Ready(QueuedMail mail)
    {
        using var stream = new MemoryStream(mail.Message, writable: false);
        var message = MimeMessage.Load(stream);

        // The composers mark their mail automatic; a forward to the postmaster is marked here, unless it already is.
        if (!message.Headers.Contains(HeaderId.AutoSubmitted))
        {
            message.Headers.Add(HeaderId.AutoSubmitted, "auto-generated");
        }

        if (!message.Headers.Contains("X-Auto-Response-Suppress"))
        {
            message.Headers.Add("X-Auto-Response-Suppress", "All");
        }

        if (signer is not null)
        {
            // 7-bit first, so no server on the way re-encodes (and so breaks) what was signed.
            message.Prepare(EncodingConstraint.SevenBit);
            signer.Sign(Format, message, SignedHeaders);
        }

        return message;
    }

    private static FormatOptions CreateFormat()
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        return format;
    }

    private enum Outcome
    {
        Sent,
        Deferred,
        Refused,
        Unreachable,
    }
}
