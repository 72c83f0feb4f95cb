using System.Globalization;
using Mail2Sms.Core.Intake;

namespace Mail2Sms.Gateway.Intake;

/// <summary>
/// The answer to an email, as the SMTP layer writes it: a reply code, an enhanced status code and
/// one or more lines (a multi-line reply names every reason, one per line).
/// </summary>
public sealed record SmtpReply(int Code, string EnhancedCode, IReadOnlyList<string> Lines)
{
    /// <summary>The most lines one reply carries; the rest are counted on the last line.</summary>
    public const int MaxLines = 20;

    /// <summary>True for a 2xx reply: the email is committed.</summary>
    public bool IsAccepted => Code is >= 200 and < 300;

    /// <summary>The reply to a refused email: the codes of its primary reason, a line per reason.</summary>
    public static SmtpReply Refused(Rejection rejection)
    {
        var lines = rejection.Reasons.Take(MaxLines).Select(r => r.Text).ToList();
        if (rejection.ReasonCount > MaxLines)
        {
            var more = rejection.ReasonCount - (MaxLines - 1);
            lines = [.. lines.Take(MaxLines - 1), string.Create(CultureInfo.InvariantCulture, $"... and {more} more reasons like these.")];
        }

        return new SmtpReply(rejection.SmtpCode, rejection.EnhancedCode, lines);
    }

    /// <summary>The reply to a refused email with one reason.</summary>
    public static SmtpReply Refused(Reason reason) => Refused(new Rejection(reason));

    /// <summary>The reply once an email is committed.</summary>
    public static SmtpReply Accepted(string line) => new(250, "2.0.0", [line]);

    /// <summary>The reply once <paramref name="acceptance"/> is committed: its SMS, its cost, and how many failed (the report lists them, up to its cap).</summary>
    public static SmtpReply Accepted(Acceptance acceptance, string? originator)
    {
        ArgumentNullException.ThrowIfNull(acceptance);
        var line = new System.Text.StringBuilder().Append(CultureInfo.InvariantCulture,
            $"Accepted: {acceptance.Messages.Count} SMS queued for {acceptance.Credits} credit{(acceptance.Credits == 1 ? string.Empty : "s")}");
        if (acceptance.FailureCount > 0)
        {
            line.Append(CultureInfo.InvariantCulture, $"; {acceptance.FailureCount} failed and will be reported to {originator}");
            if (acceptance.UnlistedFailures > 0)
            {
                line.Append(CultureInfo.InvariantCulture, $" (the first {acceptance.Failures.Count} by name, and {acceptance.UnlistedFailures} more)");
            }
        }

        return Accepted(line.Append('.').ToString());
    }

    /// <inheritdoc />
    public override string ToString() => string.Join("\r\n", Lines.Select((line, i) =>
        string.Create(CultureInfo.InvariantCulture, $"{Code}{(i == Lines.Count - 1 ? ' ' : '-')}{EnhancedCode} {line}")));
}
