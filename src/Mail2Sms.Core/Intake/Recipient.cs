using System.Text.RegularExpressions;

namespace Mail2Sms.Core.Intake;

/// <summary>The four ways an email asks for SMS.</summary>
public enum EmailFormat
{
    /// <summary><c>&lt;mobile&gt;@domain</c>: one SMS per recipient, subject and body joined.</summary>
    Mobile = 1,
    /// <summary><c>smsgateway@domain</c>: <c>[1]</c>..<c>[50]</c> entries.</summary>
    Entries = 2,
    /// <summary><c>smsmail@domain</c>: an <c>X-Cellphone:</c> list and one text.</summary>
    Cellphones = 3,
    /// <summary><c>bulksms@domain</c>: a CSV attachment.</summary>
    Csv = 4,
}

/// <summary>What a recipient address is to the gateway.</summary>
public enum RecipientKind
{
    /// <summary>Asks for SMS in one of the four formats.</summary>
    Sms,
    /// <summary><c>postmaster@</c> or <c>abuse@</c>: forwarded to the operator.</summary>
    Operator,
    /// <summary>Another local part at a gateway domain.</summary>
    UnknownMailbox,
    /// <summary>A domain the gateway does not serve.</summary>
    OtherDomain,
}

/// <summary>An envelope recipient (<c>RCPT TO</c>), classified.</summary>
/// <param name="Address">The address as given.</param>
/// <param name="Kind">What it is to the gateway.</param>
/// <param name="Format">The format it asks for, when <see cref="Kind"/> is <see cref="RecipientKind.Sms"/>.</param>
/// <param name="LocalPart">The part before the last <c>@</c>; for format 1 the number as written.</param>
public sealed partial record Recipient(string Address, RecipientKind Kind, EmailFormat? Format, string LocalPart)
{
    [GeneratedRegex(@"^\+?\d(?:[.\-]?\d)*$", RegexOptions.CultureInvariant)]
    private static partial Regex MobileLocalPart();

    /// <summary>
    /// The recipient as a resend is recognised by: without brackets or surrounding space, lower case, so that
    /// <c>&lt;0412345678@Domain&gt;</c> resent as <c>0412345678@domain</c> is the same recipient.
    /// </summary>
    public static string ResendKey(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.Trim().Trim('<', '>').ToLowerInvariant();
    }

    /// <summary>Classifies <paramref name="address"/> against the gateway's domains (case-insensitive).</summary>
    public static Recipient Parse(string address, IReadOnlyCollection<string> gatewayDomains)
    {
        var trimmed = address.Trim().Trim('<', '>');
        var at = trimmed.LastIndexOf('@');
        var local = at < 0 ? trimmed : trimmed[..at];
        var domain = at < 0 ? string.Empty : trimmed[(at + 1)..];
        if (at < 0 && local.Equals("postmaster", StringComparison.OrdinalIgnoreCase))
        {
            // RFC 5321 4.1.1.3: every server must accept <Postmaster> without a domain.
            return new Recipient(trimmed, RecipientKind.Operator, null, local);
        }

        if (!gatewayDomains.Any(d => d.Equals(domain, StringComparison.OrdinalIgnoreCase)))
        {
            return new Recipient(trimmed, RecipientKind.OtherDomain, null, local);
        }

        var (kind, format) = local.ToUpperInvariant() switch
        {
            "SMSGATEWAY" => (RecipientKind.Sms, (EmailFormat?)EmailFormat.Entries),
            "SMSMAIL" => (RecipientKind.Sms, EmailFormat.Cellphones),
            "BULKSMS" => (RecipientKind.Sms, EmailFormat.Csv),
            "POSTMASTER" or "ABUSE" => (RecipientKind.Operator, null),
            _ when MobileLocalPart().IsMatch(local) => (RecipientKind.Sms, EmailFormat.Mobile),
            _ => (RecipientKind.UnknownMailbox, null),
        };
        return new Recipient(trimmed, kind, format, local);
    }

    /// <summary>Why this recipient cannot be served at all, or null when it can.</summary>
    public Reason? Refusal => Kind switch
    {
        RecipientKind.UnknownMailbox => Reasons.Create(ReasonCode.UnknownMailbox,
            $"There is no mailbox {Address}: send to <mobile number>@, smsgateway@, smsmail@ or bulksms@ at this domain."),
        RecipientKind.OtherDomain => Reasons.Create(ReasonCode.RelayDenied,
            $"Relaying to {Address} is denied: this gateway accepts mail only for its own domains."),
        _ => null,
    };
}
