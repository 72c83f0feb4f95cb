using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Numbers;

namespace Mail2Sms.Core.Accounts;

/// <summary>
/// What an account's settings may be, wherever one is made or changed (the CLI, the dashboard): each rule
/// returns the sentence an operator reads when a value is refused, or null when it is taken.
/// </summary>
public static class AccountRules
{
    /// <summary>Why an account cannot open as given, or null when it can.</summary>
    /// <param name="id">The account's ID.</param>
    /// <param name="credits">Its opening credits.</param>
    /// <param name="lowCreditWarning">Its low-credit warning level.</param>
    /// <param name="sender">Its source address; null or empty for the gateway's.</param>
    /// <param name="country">Its country; null for none.</param>
    /// <param name="canonicalCountry">The country as kept (<c>au</c> is <c>AU</c>).</param>
    public static string? OpeningProblem(string id, long credits, long lowCreditWarning, string? sender, string? country, out string? canonicalCountry)
    {
        canonicalCountry = null;
        return SenderNames.AccountIdProblem(id)
            ?? (credits < 0 ? "An account cannot open with negative credits." : null)
            ?? WarningLevelProblem(lowCreditWarning)
            ?? SenderProblem(sender)
            ?? CountryProblem(country, out canonicalCountry);
    }

    /// <summary>
    /// Why settings cannot be set as given, or null when they can; a null value is one left as it is.
    /// The checks run in the order the operator reads them: nothing given, sender, country, caps, parts, window, warning level.
    /// </summary>
    /// <param name="id">The account.</param>
    /// <param name="nothingGiven">No setting is given at all.</param>
    /// <param name="sender">The source address (empty clears it).</param>
    /// <param name="country">The country (empty clears it).</param>
    /// <param name="smsPerMinute">SMS a minute (0: no cap).</param>
    /// <param name="maxParts">Parts an SMS may take.</param>
    /// <param name="replyWindowDays">Days replies are matched (0: the gateway's).</param>
    /// <param name="lowCreditWarning">The low-credit warning level (0: none).</param>
    /// <param name="canonicalCountry">The country as kept: null to leave it, empty to clear it.</param>
    public static string? ChangeProblem(string id, bool nothingGiven, string? sender, string? country, int? smsPerMinute, int? maxParts, int? replyWindowDays, long? lowCreditWarning,
        out string? canonicalCountry)
    {
        canonicalCountry = null;
        if (nothingGiven)
        {
            return $"Nothing to change for account {id}: give at least one setting.";
        }

        if (SenderProblem(sender) is { } badSender)
        {
            return badSender;
        }

        if (country is not null)
        {
            if (CountryProblem(country, out canonicalCountry) is { } badCountry)
            {
                return badCountry;
            }

            canonicalCountry ??= string.Empty;
        }

        return (smsPerMinute < 0 ? $"The cap of SMS per minute is {smsPerMinute}; it must be 0 (no cap) or more." : null)
            ?? (maxParts is < 1 or > 255 ? $"At most {maxParts} parts an SMS cannot be: give 1 to 255 (an SMS of more parts is refused)." : null)
            ?? (replyWindowDays is < 0 or > 365 ? $"A reply window of {replyWindowDays} days cannot be: give 1 to 365 days, or 0 for the gateway's." : null)
            ?? (lowCreditWarning is { } level ? WarningLevelProblem(level) : null);
    }

    /// <summary>
    /// Why <paramref name="sender"/> cannot be an account's source address, or null when it can (null or
    /// empty: the gateway's). An SMSC takes a number (up to 15 digits, + allowed) or up to 11 letters, digits and spaces.
    /// </summary>
    public static string? SenderProblem(string? sender)
    {
        var text = sender?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var digits = text.StartsWith('+') ? text[1..] : text;
        var number = digits.Length is > 0 and <= 15 && digits.All(char.IsAsciiDigit);
        var alphanumeric = text.Length <= 11 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is ' ' or '.' or '-' or '_' or '&');
        return number || alphanumeric ? null : $"'{text}' cannot be a sender: use a number of up to 15 digits, or up to 11 letters, digits and spaces.";
    }

    /// <summary>Why <paramref name="level"/> cannot be a low-credit warning level, or null when it can.</summary>
    public static string? WarningLevelProblem(long level) =>
        level < 0 ? "A low-credit warning level is a number of credits, 0 or more (0: no warning)." : null;

    /// <summary>
    /// Why <paramref name="country"/> is not a region libphonenumber knows, or null; <paramref name="canonical"/>
    /// is the country as accounts keep it (<c>au</c> is <c>AU</c>), null for none.
    /// </summary>
    public static string? CountryProblem(string? country, out string? canonical)
    {
        try
        {
            canonical = new PhoneNumberRules(country).Country;
            return null;
        }
        catch (ArgumentException e)
        {
            canonical = null;
            return e.Message.Split(" (Parameter", 2)[0];
        }
    }

    /// <summary>
    /// Why <paramref name="addressOrRange"/> is not an IP address or CIDR range, or null; <paramref name="canonical"/>
    /// is its canonical form (<c>203.0.113.0/24</c>, <c>2001:db8::/32</c>): a bare address is a /32 or /128, and host bits are cleared.
    /// </summary>
    public static string? NetworkProblem(string addressOrRange, out string canonical)
    {
        canonical = Canonical(addressOrRange) ?? string.Empty;
        return canonical.Length > 0 ? null : $"'{addressOrRange}' is not an IP address or CIDR range, such as 203.0.113.5 or 203.0.113.0/24.";
    }

    private static string? Canonical(string addressOrRange)
    {
        var text = addressOrRange.Trim();
        var host = text.Split('/')[0];
        // IPAddress reads "203.0.113" as 203.0.0.113 (inet_aton); an operator who writes three parts means something else.
        if (!host.Contains(':', StringComparison.Ordinal) && host.Count(c => c == '.') != 3)
        {
            return null;
        }

        if (IPAddress.TryParse(text, out var address))
        {
            address = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
            return new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128).ToString();
        }

        if (IPNetwork.TryParse(text, out var network))
        {
            return network.ToString();
        }

        // IPNetwork refuses host bits set (203.0.113.7/24); an operator means the range.
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && IPAddress.TryParse(host, out var hostAddress)
            && int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix)
            && prefix <= (hostAddress.AddressFamily == AddressFamily.InterNetwork ? 32 : 128))
        {
            var bytes = hostAddress.GetAddressBytes();
            for (var bit = prefix; bit < bytes.Length * 8; bit++)
            {
                bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
            }

            return new IPNetwork(new IPAddress(bytes), prefix).ToString();
        }

        return null;
    }
}
