using System.Text;
using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Replies;

namespace Mail2Sms.Gateway;

/// <summary>Why the SMTP layer refused a connection or a command, or ended a session (<c>mail2sms_smtp_refusals_total</c>).</summary>
public enum SmtpRefusal
{
    /// <summary><c>421 4.3.2</c>: the gateway held <c>Smtp:MaxConnections</c>.</summary>
    MaxConnections,
    /// <summary><c>421 4.7.0</c>: the client address held <c>Smtp:MaxConnectionsPerIp</c>.</summary>
    PerIp,
    /// <summary><c>500 5.5.2</c>: a command line past 512 octets (an AUTH line past 12,288).</summary>
    LineTooLong,
    /// <summary><c>552 5.3.4</c>: an email's header section past <c>Smtp:MaxHeaderBytes</c>.</summary>
    HeaderTooLarge,
    /// <summary><c>452 4.3.1</c>: an email's data would have passed <c>Smtp:MaxDataBufferBytes</c> held across all sessions.</summary>
    DataBudget,
    /// <summary><c>421 4.4.2</c>: nothing arrived within the command timeout.</summary>
    CommandTimeout,
    /// <summary><c>421 4.4.2</c>: the session outlived <c>Smtp:MaxSessionSeconds</c>.</summary>
    SessionTimeout,
    /// <summary><c>503 5.5.1</c>: a command out of sequence.</summary>
    BadSequence,
    /// <summary><c>501</c>: a command whose argument could not be read.</summary>
    SyntaxError,
    /// <summary><c>502 5.5.1</c>: a command the gateway does not know.</summary>
    UnknownCommand,
    /// <summary><c>421 4.7.0</c>: a PROXY header where none is believed.</summary>
    UntrustedProxy,
    /// <summary><c>421 4.7.0</c>: a trusted load balancer sent no valid PROXY header (a misconfigured balancer, not a claim).</summary>
    BadProxyHeader,
    /// <summary><c>530 5.7.0</c>: AUTH before STARTTLS.</summary>
    TlsRequired,
}

/// <summary>
/// The gateway's counters since the process started, counted where things happen (intake, the
/// dispatcher, replies, the SMPP sessions) and read by the <c>/metrics</c> endpoint. One set per process,
/// labelled with its <see cref="Node"/>: every count is a plain interlocked number, so counting costs nothing
/// next to the work counted, and no node ever writes a row another node writes too.
/// </summary>
public static class GatewayMetrics
{
    /// <summary>
    /// This process as <c>/metrics</c> labels the counts it keeps (<c>node="host:pid"</c>, as the <c>nodes</c> table names it): several
    /// nodes behind one address, or scraped under one job, each show their own, and a sum over nodes is the gateway's.
    /// </summary>
    public static string Node { get; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>The upper bounds, in seconds, of the submit latency histogram's buckets (the last, +Inf, implied).</summary>
    public static readonly IReadOnlyList<double> SubmitBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private static readonly long[] Rejected = new long[Enum.GetValues<ReasonCode>().Length];
    private static readonly long[] Deferred = new long[Enum.GetValues<ReasonCode>().Length];
    private static readonly long[] RecipientsRefusedFor = new long[Enum.GetValues<ReasonCode>().Length];
    private static readonly long[] RepliesByOutcome = new long[Enum.GetValues<ReplyOutcome>().Length];
    private static readonly long[] SmtpRefusalsFor = new long[Enum.GetValues<SmtpRefusal>().Length];
    private static readonly long[] SubmitsByBucket = new long[SubmitBuckets.Count + 1];
    private static readonly long[] LockoutsByPath = new long[Enum.GetValues<Intake.PasswordPath>().Length];
    private static long _accepted;
    private static long _parts;
    private static long _throttled;
    private static long _authFailures;
    private static long _connectionsRefused;
    private static long _submitTicks;
    private static long _repliesAssigned;

    /// <summary>Emails accepted (answered <c>250</c>).</summary>
    public static long EmailsAccepted => Interlocked.Read(ref _accepted);

    /// <summary>SMS parts the SMS centre took.</summary>
    public static long PartsSubmitted => Interlocked.Read(ref _parts);

    /// <summary>Replies an operator assigned by hand to the SMS they answer.</summary>
    public static long RepliesAssigned => Interlocked.Read(ref _repliesAssigned);

    /// <summary>Times an SMPP session was told to slow down.</summary>
    public static long ThrottlingEvents => Interlocked.Read(ref _throttled);

    /// <summary>SMTP AUTH attempts refused: a user unknown or a password wrong.</summary>
    public static long AuthFailures => Interlocked.Read(ref _authFailures);

    /// <summary>SMTP connections refused: the gateway held <c>Smtp:MaxConnections</c>, or their client address <c>Smtp:MaxConnectionsPerIp</c>.</summary>
    public static long ConnectionsRefused => Interlocked.Read(ref _connectionsRefused);

    /// <summary>Submits timed, in all.</summary>
    public static long SubmitCount => SubmitsWithin(SubmitBuckets.Count);

    /// <summary>The time every submit timed took, added up.</summary>
    public static TimeSpan SubmitTotal => TimeSpan.FromTicks(Interlocked.Read(ref _submitTicks));

    /// <summary>An email accepted.</summary>
    public static void EmailAccepted() => Interlocked.Increment(ref _accepted);

    /// <summary>An email answered with a refusal, for the reason whose codes its reply carries: rejected for good (5xx), or deferred (4xx), which the sending server tries again.</summary>
    public static void EmailRefused(Reason reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        Interlocked.Increment(ref (reason.IsTransient ? Deferred : Rejected)[(int)reason.Code]);
    }

    /// <summary>A recipient refused at <c>RCPT TO</c>, before any email's data.</summary>
    public static void RecipientRefused(ReasonCode reason) => Interlocked.Increment(ref RecipientsRefusedFor[(int)reason]);

    /// <summary>An SMTP AUTH attempt refused.</summary>
    public static void AuthFailed() => Interlocked.Increment(ref _authFailures);

    /// <summary>An SMTP connection or command refused, or a session ended, by the SMTP layer's own limits.</summary>
    public static void SmtpRefused(SmtpRefusal reason)
    {
        Interlocked.Increment(ref SmtpRefusalsFor[(int)reason]);
        if (reason is SmtpRefusal.MaxConnections or SmtpRefusal.PerIp)
        {
            Interlocked.Increment(ref _connectionsRefused);
        }
    }

    /// <summary>Refusals of the SMTP layer for <paramref name="reason"/>.</summary>
    public static long SmtpRefusals(SmtpRefusal reason) => Interlocked.Read(ref SmtpRefusalsFor[(int)reason]);

    /// <summary>A key (account or operator and client address, or a stranger's address) locked out after repeated wrong passwords on <paramref name="path"/>.</summary>
    public static void LockedOut(Intake.PasswordPath path) => Interlocked.Increment(ref LockoutsByPath[(int)path]);

    /// <summary>Lockouts begun on <paramref name="path"/>.</summary>
    public static long Lockouts(Intake.PasswordPath path) => Interlocked.Read(ref LockoutsByPath[(int)path]);

    /// <summary>A reason's code as <c>/metrics</c> and the log write it: <c>InsufficientCredits</c> is <c>insufficient_credits</c>.</summary>
    public static string Label(ReasonCode reason) => SnakeCase(reason.ToString());

    /// <summary>An SMTP refusal as <c>/metrics</c> writes it: <c>LineTooLong</c> is <c>line_too_long</c>.</summary>
    public static string Label(SmtpRefusal reason) => SnakeCase(reason.ToString());

    /// <summary>A password path as <c>/metrics</c> writes it: <c>SmtpAuth</c> is <c>smtp_auth</c>.</summary>
    public static string Label(Intake.PasswordPath path) => SnakeCase(path.ToString());

    private static string SnakeCase(string name)
    {
        var label = new StringBuilder(name.Length + 8);
        foreach (var c in name)
        {
            if (char.IsUpper(c) && label.Length > 0)
            {
                label.Append('_');
            }

            label.Append(char.ToLowerInvariant(c));
        }

        return label.ToString();
    }

    /// <summary>Emails rejected for good for <paramref name="reason"/>.</summary>
    public static long EmailsRejected(ReasonCode reason) => Interlocked.Read(ref Rejected[(int)reason]);

    /// <summary>Emails deferred (answered 4xx) for <paramref name="reason"/>.</summary>
    public static long EmailsDeferred(ReasonCode reason) => Interlocked.Read(ref Deferred[(int)reason]);

    /// <summary>Recipients refused at <c>RCPT TO</c> for <paramref name="reason"/>.</summary>
    public static long RecipientsRefused(ReasonCode reason) => Interlocked.Read(ref RecipientsRefusedFor[(int)reason]);

    /// <summary>An SMS part the SMS centre took.</summary>
    public static void PartSubmitted() => Interlocked.Increment(ref _parts);

    /// <summary>One submit_sm's round trip, from sending it to its answer.</summary>
    public static void SubmitTook(TimeSpan elapsed)
    {
        var seconds = elapsed.TotalSeconds;
        var bucket = 0;
        while (bucket < SubmitBuckets.Count && seconds > SubmitBuckets[bucket])
        {
            bucket++;
        }

        Interlocked.Increment(ref SubmitsByBucket[bucket]);
        Interlocked.Add(ref _submitTicks, elapsed.Ticks);
    }

    /// <summary>Submits that took at most <c>SubmitBuckets[bucket]</c> seconds (at most forever for the last bucket, +Inf).</summary>
    public static long SubmitsWithin(int bucket)
    {
        var count = 0L;
        for (var i = 0; i <= bucket; i++)
        {
            count += Interlocked.Read(ref SubmitsByBucket[i]);
        }

        return count;
    }

    /// <summary>An SMPP session told to slow down.</summary>
    public static void Throttled() => Interlocked.Increment(ref _throttled);

    /// <summary>A reply an operator assigned by hand.</summary>
    public static void ReplyAssigned() => Interlocked.Increment(ref _repliesAssigned);

    /// <summary>A reply from a mobile, as it was matched.</summary>
    public static void ReplyReceived(ReplyOutcome outcome) => Interlocked.Increment(ref RepliesByOutcome[(int)outcome]);

    /// <summary>Replies from mobiles that came out as <paramref name="outcome"/>.</summary>
    public static long Replies(ReplyOutcome outcome) => Interlocked.Read(ref RepliesByOutcome[(int)outcome]);
}
