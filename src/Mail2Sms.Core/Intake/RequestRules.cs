using System.Net;
using MimeKit;

namespace Mail2Sms.Core.Intake;

/// <summary>One SMS a REST API request asks for.</summary>
/// <param name="To">The number as a format 1 recipient writes it (<c>0412345678</c>, <c>+61412345678</c>).</param>
/// <param name="Text">The text.</param>
/// <param name="Name">Who the recipient is, kept with the SMS.</param>
public sealed record RequestedSms(string To, string Text, string? Name = null);

/// <summary>What a REST API request means, message by message.</summary>
/// <param name="Positions">For each message in its order, the index of its SMS in <see cref="Acceptance"/>'s messages, or null when it has none.</param>
/// <param name="Failures">For each message in its order, why it is not sent (empty when it is).</param>
/// <param name="Acceptance">The SMS to send, each distinct (number, text) pair once, with every failure; null when no message can be sent.</param>
public sealed record RequestDecision(IReadOnlyList<int?> Positions, IReadOnlyList<IReadOnlyList<Reason>> Failures, Acceptance? Acceptance);

/// <summary>
/// The REST API's messages decided by the rules of email: each message as the format 1 email to
/// <c>&lt;to&gt;@domain</c> with the request's subject and its text would be, and, as in one email, each
/// distinct (number, text) pair sent once.
/// </summary>
public static class RequestRules
{
    /// <summary>Decides <paramref name="messages"/> for <paramref name="account"/>.</summary>
    /// <param name="messages">The messages, each with a number and a text.</param>
    /// <param name="subject">Put before each text, as an email's subject is in format 1.</param>
    /// <param name="account">The account the request's key belongs to.</param>
    /// <param name="domains">The gateway's domains; the first names it.</param>
    /// <param name="client">The client's address.</param>
    public static RequestDecision Decide(IReadOnlyList<RequestedSms> messages, string? subject, Account account, IReadOnlyList<string> domains, IPAddress? client)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(domains);
        var decisions = messages.Select(m => DecideOne(m, subject, account, domains, client)).ToList();
        var sms = new List<OutboundSms>();
        var positions = new List<int?>();
        var seen = new Dictionary<(string Number, string Text), int>();
        foreach (var (decided, _) in decisions)
        {
            if (decided is null)
            {
                positions.Add(null);
                continue;
            }

            if (!seen.TryGetValue((decided.Number, decided.Text.Text), out var position))
            {
                position = seen[(decided.Number, decided.Text.Text)] = sms.Count;
                sms.Add(decided);
            }

            positions.Add(position);
        }

        var failures = decisions.Zip(messages).SelectMany(d => d.First.Failures.Select(r => new RecipientFailure(d.Second.To, r))).ToList();
        return new RequestDecision(positions, [.. decisions.Select(d => d.Failures)], sms.Count == 0 ? null : new Acceptance(sms, failures, null));
    }

    private static (OutboundSms? Sms, IReadOnlyList<Reason> Failures) DecideOne(RequestedSms message, string? subject, Account account, IReadOnlyList<string> domains, IPAddress? client)
    {
        var to = message.To.Trim();
        var recipient = Recipient.Parse($"{to}@{domains[0]}", domains);
        if (to.Contains('@', StringComparison.Ordinal) || recipient.Format != EmailFormat.Mobile)
        {
            return (null, [Reasons.Create(ReasonCode.InvalidNumber, $"'{to}' is not a phone number.")]);
        }

        using var email = new MimeMessage { Subject = subject ?? string.Empty, Body = new TextPart("plain") { Text = message.Text } };
        var facts = SenderFacts.Read(email, new Envelope($"api@{domains[0]}", [recipient.Address], client), domains);
        // Decided as the email would be; a message with no text is told so in the API's words.
        return IntakeRules.Decide(facts, account) switch
        {
            Rejection rejection => (null, [.. rejection.Reasons.Select(r => r.Code == ReasonCode.EmptyMessage ? Reasons.EmptyApiMessage : r)]),
            Acceptance accepted => (accepted.Messages.Count > 0 ? accepted.Messages[0] with { Name = message.Name } : null,
                [.. accepted.Failures.Select(f => f.Reason)]),
            _ => throw new InvalidOperationException("Intake decided neither to accept nor to reject."),
        };
    }
}
