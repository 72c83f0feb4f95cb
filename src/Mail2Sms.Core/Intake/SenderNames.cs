using System.Text;
using Mail2Sms.Core.Text;

namespace Mail2Sms.Core.Intake;

/// <summary>
/// What an account ID and a user's address may be, checked wherever one is made (the CLI, the dashboard,
/// the store): an account ID is 1 to 32 letters, digits, <c>-</c> or <c>_</c> (it becomes part of a CSV
/// file's name); a user is an RFC 5321 mailbox of at most 254 octets, or a <c>*@domain</c> pattern.
/// </summary>
public static class SenderNames
{
    /// <summary>The longest account ID.</summary>
    public const int MaxAccountId = 32;

    /// <summary>The longest address, in octets: RFC 5321's 256-octet path less its angle brackets.</summary>
    public const int MaxAddressOctets = 254;

    /// <summary>The longest local part, in octets (RFC 5321 section 4.5.3.1.1).</summary>
    public const int MaxLocalPartOctets = 64;

    private const string Atext = "!#$%&'*+-/=?^_`{|}~";

    /// <summary>Why <paramref name="id"/> is not an account ID, or null when it is one.</summary>
    public static string? AccountIdProblem(string? id) =>
        id is { Length: > 0 and <= MaxAccountId } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? null
            : $"'{Shown(id)}' is not an account ID: use 1 to {MaxAccountId} letters, digits, - or _, such as CI00123456.";

    /// <summary>Why <paramref name="address"/> is neither a mailbox (<c>ops@example.com</c>) nor a <c>*@domain</c> pattern, or null when it is one.</summary>
    public static string? UserAddressProblem(string? address)
    {
        var problem = string.IsNullOrEmpty(address) ? "it is empty" : MailboxProblem(address);
        return problem is null ? null : $"'{Shown(address)}' is not an email address or a *@domain pattern: {problem}.";
    }

    private static string? MailboxProblem(string address)
    {
        if (Encoding.UTF8.GetByteCount(address) > MaxAddressOctets)
        {
            return $"an address has at most {MaxAddressOctets} octets";
        }

        var at = address.LastIndexOf('@');
        if (at <= 0 || at == address.Length - 1)
        {
            return "write it as name@domain";
        }

        var (local, domain) = (address[..at], address[(at + 1)..]);
        if (Encoding.UTF8.GetByteCount(local) > MaxLocalPartOctets)
        {
            return $"the part before @ has at most {MaxLocalPartOctets} octets";
        }

        return local == "*" || IsDotString(local) || IsQuotedString(local)
            ? (IsDomain(domain) ? null : $"'{Shown(domain)}' is not a domain name")
            : "the part before @ holds characters an address cannot have unquoted";
    }

    // Dot-atom: atoms of atext (letters, digits, the symbols above, and UTF-8 letters as RFC 6531 allows) joined by single dots.
    private static bool IsDotString(string local) =>
        local.Split('.').All(atom => atom.Length > 0 && atom.All(c => char.IsAsciiLetterOrDigit(c) || Atext.Contains(c, StringComparison.Ordinal) || (c > 127 && char.IsLetterOrDigit(c))));

    private static bool IsQuotedString(string local)
    {
        if (local.Length < 2 || local[0] != '"' || local[^1] != '"')
        {
            return false;
        }

        for (var i = 1; i < local.Length - 1; i++)
        {
            var c = local[i];
            if (char.IsControl(c) || (c == '"'))
            {
                return false;
            }

            if (c == '\\' && ++i >= local.Length - 1)
            {
                return false;
            }
        }

        return true;
    }

    // Labels of letters, digits and hyphens (not at either end), at most 63 each, or an address literal such as [203.0.113.5].
    private static bool IsDomain(string domain)
    {
        if (domain.StartsWith('[') && domain.EndsWith(']'))
        {
            var literal = domain[1..^1];
            return System.Net.IPAddress.TryParse(literal.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase) ? literal[5..] : literal, out _);
        }

        return domain.Split('.').All(label => label.Length is > 0 and <= 63 && label[0] != '-' && label[^1] != '-'
            && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-' || (c > 127 && char.IsLetterOrDigit(c))));
    }

    private static string Shown(string? value) => ShortText.Cut(value ?? string.Empty, ShortText.MaxWritten);
}
