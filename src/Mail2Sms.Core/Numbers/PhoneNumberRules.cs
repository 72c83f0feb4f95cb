using System.Globalization;
using System.Text.RegularExpressions;
using Mail2Sms.Core.Intake;
using PhoneNumbers;

namespace Mail2Sms.Core.Numbers;

/// <summary>A number read: its international form, or why it cannot be sent to.</summary>
/// <param name="International">Digits in international form without <c>+</c> (<c>61417999999</c>), when valid.</param>
/// <param name="Failure">Why the number was refused, when it was.</param>
public sealed record NumberResult(string? International, Reason? Failure)
{
    /// <summary>True when the number can be sent to.</summary>
    public bool IsValid => International is not null;
}

/// <summary>
/// Reads a mobile number as a customer writes it (<c>+61 412 345 678</c>, <c>0011 61...</c>,
/// <c>0412 345 678</c>, <c>61412345678</c>, <c>412345678</c>) in the light of the account's country,
/// and validates it with libphonenumber's metadata.
/// </summary>
/// <param name="Country">The account's ISO 3166 region (<c>AU</c>); null accepts only international numbers.</param>
/// <param name="Relaxed">Accept any 8 to 15 digits instead of mobile numbers only.</param>
public sealed partial record PhoneNumberRules(string? Country, bool Relaxed = false)
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <summary>The account's region, upper case (<c>au</c> is <c>AU</c>); a region libphonenumber does not know is refused here rather than failing each number.</summary>
    public string? Country { get => _country; init => _country = CheckedRegion(value); }

    private readonly string? _country = CheckedRegion(Country);

    private static string? CheckedRegion(string? country)
    {
        if (string.IsNullOrWhiteSpace(country))
        {
            return null;
        }

        var region = country.Trim().ToUpperInvariant();
        return Util.GetSupportedRegions().Contains(region)
            ? region
            : throw new ArgumentException($"'{country}' is not an ISO 3166 region that phone numbers are known for, such as AU.", nameof(country));
    }

    [GeneratedRegex(@"^\d+([.,]\d+)?[eE][+-]?\d+$")]
    private static partial Regex ScientificNotation();

    /// <summary>Reads <paramref name="written"/> and returns its international form or the reason it fails.</summary>
    public NumberResult Read(string written)
    {
        var shown = written.Trim();
        if (shown.Length == 0)
        {
            return Fail(ReasonCode.MissingNumber, "No number is given.");
        }

        if (IsScientificNotation(shown))
        {
            return Fail(ReasonCode.NumberInScientificNotation,
                $"'{shown}' is a number a spreadsheet turned into scientific notation, so its digits are lost: format the column as text and export the file again.");
        }

        var digits = Clean(shown, out var plus);
        if (digits is null)
        {
            return Invalid(shown, "is not a phone number: use digits, spaces, dashes, dots or parentheses, and an optional leading +");
        }

        if (plus)
        {
            return Check(shown, digits, national: null);
        }

        var region = Country;
        if (region is null)
        {
            return digits.StartsWith("00", StringComparison.Ordinal)
                ? Check(shown, digits[2..], national: null)
                : Check(shown, digits, national: null, domesticHint: digits.StartsWith('0'));
        }

        var metadata = Util.GetMetadataForRegion(region);
        var countryCode = metadata.CountryCode.ToString(CultureInfo.InvariantCulture);
        var internationalPrefix = metadata.HasPreferredInternationalPrefix ? metadata.PreferredInternationalPrefix : metadata.InternationalPrefix;
        if (IsDigits(internationalPrefix) && internationalPrefix != "00" && digits.StartsWith(internationalPrefix, StringComparison.Ordinal))
        {
            return Check(shown, digits[internationalPrefix.Length..], national: null);
        }

        if (digits.StartsWith("00", StringComparison.Ordinal))
        {
            return Check(shown, digits[2..], national: null);
        }

        var trunk = metadata.NationalPrefix;
        if (!string.IsNullOrEmpty(trunk) && trunk != countryCode && digits.StartsWith(trunk, StringComparison.Ordinal))
        {
            return Check(shown, countryCode + digits[trunk.Length..], national: null, readAs: region);
        }

        return Check(shown, digits, national: countryCode + digits);
    }

    /// <param name="shown">The number as written, for the reason.</param>
    /// <param name="international">The reading as an international number without <c>+</c>.</param>
    /// <param name="national">A second reading, as a national number of the account's country, when the first may be wrong.</param>
    /// <param name="domesticHint">The number looks national but the account has no country.</param>
    /// <param name="readAs">The account's region, when the number was read as national (trunk prefix).</param>
    private NumberResult Check(string shown, string international, string? national, bool domesticHint = false, string? readAs = null)
    {
        var readings = national is null ? [Classify(international)] : new[] { Classify(international), Classify(national) };
        foreach (var reading in readings)
        {
            if (reading.Type is { } type && (Relaxed || type is PhoneNumberType.MOBILE or PhoneNumberType.FIXED_LINE_OR_MOBILE))
            {
                return new NumberResult(reading.Digits, null);
            }
        }

        // Relaxed: any 8 to 15 digits, but still an international number: no leading 0, a real country code.
        if (Relaxed && international.Length is >= 8 and <= 15 && HasCountryCode(international))
        {
            return new NumberResult(international, null);
        }

        if (readings.FirstOrDefault(r => r.Type is not null) is { Type: { } other } valid)
        {
            return Invalid(shown, $"is a {Describe(other)} number of {valid.Region}, not a mobile number");
        }

        if (domesticHint)
        {
            return Invalid(shown, "is written in national form, but the account has no country set: write it in international form, such as 61412345678");
        }

        if (international.Length is < 8 or > 15)
        {
            return Invalid(shown, $"is too {(international.Length < 8 ? "short" : "long")} for a mobile number: read as +{international} it has {international.Length} digits, and a number in international form has 8 to 15");
        }

        return readAs is not null
            ? Invalid(shown, $"is not a valid mobile number of {readAs} (read as +{international})")
            : Invalid(shown, $"is not a valid mobile number: write it in international form with its country code, such as {ExampleMobile()}");
    }

    private string ExampleMobile() =>
        Country is { } region && Util.GetExampleNumberForType(region, PhoneNumberType.MOBILE) is { } example
            ? Util.Format(example, PhoneNumberFormat.E164)[1..]
            : "61412345678";

    private readonly record struct Reading(string Digits, PhoneNumberType? Type, string? Region);

    private static Reading Classify(string international)
    {
        try
        {
            var parsed = Util.Parse("+" + international, null);
            // The canonical form, so that a stray trunk prefix (+61 (0)412...) never reaches the SMS centre.
            return Util.IsValidNumber(parsed)
                ? new Reading(Util.Format(parsed, PhoneNumberFormat.E164)[1..], Util.GetNumberType(parsed), Util.GetRegionCodeForNumber(parsed))
                : new Reading(international, null, null);
        }
        catch (NumberParseException)
        {
            return new Reading(international, null, null);
        }
    }

    private static bool HasCountryCode(string international)
    {
        if (international[0] == '0')
        {
            return false;
        }

        for (var length = 1; length <= 3; length++)
        {
            if (Util.GetRegionCodeForCountryCode(int.Parse(international.AsSpan(0, length), CultureInfo.InvariantCulture)) != "ZZ")
            {
                return true;
            }
        }

        return false;
    }

    private static string Describe(PhoneNumberType type) => type switch
    {
        PhoneNumberType.FIXED_LINE => "fixed-line",
        PhoneNumberType.TOLL_FREE => "toll-free",
        PhoneNumberType.PREMIUM_RATE => "premium-rate",
        PhoneNumberType.SHARED_COST => "shared-cost",
        PhoneNumberType.VOIP => "VoIP",
        PhoneNumberType.PERSONAL_NUMBER => "personal",
        PhoneNumberType.PAGER => "pager",
        PhoneNumberType.UAN => "company (UAN)",
        PhoneNumberType.VOICEMAIL => "voicemail",
        _ => "non-mobile",
    };

    /// <summary>
    /// True when <paramref name="written"/> is meant as a number, valid or not: digits with the
    /// separators people write, or a number a spreadsheet turned into scientific notation.
    /// </summary>
    public static bool LooksLikeNumber(string written) =>
        Clean(written.Trim(), out _) is not null || IsScientificNotation(written);

    private static bool IsScientificNotation(string written) =>
        ScientificNotation().IsMatch(written.Trim().Replace(" ", string.Empty, StringComparison.Ordinal));

    /// <summary>Strips the separators people write (spaces, dashes, dots, parentheses); null when anything else is left.</summary>
    internal static string? Clean(string written, out bool plus)
    {
        plus = false;
        var digits = new System.Text.StringBuilder(written.Length);
        foreach (var c in written)
        {
            if (char.IsAsciiDigit(c))
            {
                digits.Append(c);
            }
            else if (c == '+' && digits.Length == 0 && !plus)
            {
                plus = true;
            }
            else if (!(char.IsWhiteSpace(c) || c is '-' or '.' or '(' or ')' or '\u2010' or '\u2011' or '\u2013'))
            {
                return null;
            }
        }

        return digits.Length == 0 ? null : digits.ToString();
    }

    private static bool IsDigits(string? text) => !string.IsNullOrEmpty(text) && text.All(char.IsAsciiDigit);

    private static NumberResult Invalid(string shown, string why) =>
        Fail(ReasonCode.InvalidNumber, $"'{shown}' {why}.");

    private static NumberResult Fail(ReasonCode code, string text) =>
        new(null, Reasons.Create(code, text));
}
